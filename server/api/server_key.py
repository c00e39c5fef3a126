"""``GET /api/v1/mqtt/server-key``: the key the apps check the server's MQTT messages with.

Any device or user with a valid token may ask; a device pins what it gets (``appkit``)
and refuses a different key later. A device also learns its own id here: with its
token, that is its user name on the embedded broker. Handing it out over the same authenticated HTTP
channel as the device's token is what makes the pin worth trusting.
"""

from fastapi import APIRouter, Request

from server.api.deps import CurrentActor
from server.contract.http import ServerKeyOut
from server.contract.signing import ServerKey

router = APIRouter(prefix="/api/v1", tags=["devices"])


@router.get("/mqtt/server-key", response_model=ServerKeyOut)
async def server_key(request: Request, actor: CurrentActor) -> ServerKeyOut:
    """The server's Ed25519 public key for the signed MQTT envelope (docs/protocol.md)."""
    key: ServerKey = request.app.state.server_key
    device = actor.name if actor.kind == "device" else None
    return ServerKeyOut(key=key.text, fingerprint=key.fingerprint, device=device)
