"""What the kiosk, counter and display apps share: the HTTP client base and the MQTT
state subscriber. It imports only ``server.contract`` of the server."""
