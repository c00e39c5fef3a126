"""Publishing the server's state to MQTT."""
