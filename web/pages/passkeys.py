"""Passkeys (WebAuthn, with the `webauthn` library): add one after signing in, sign in with it later. The browser
side is static/passkeys.js; these endpoints answer it in JSON."""

import base64
import json
from typing import Any
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from api.context import State
from web.errors import PageRoute
from web.sessions import AnyViewer, CsrfChecked, load_viewer, secure_cookies, set_session_cookie

router = APIRouter(route_class=PageRoute, include_in_schema=False, dependencies=[Depends(load_viewer), CsrfChecked])
REGISTER = "register"
SIGN_IN = "sign-in"
MAX_BODY = 64 * 1024


def relying_party(state: State) -> tuple[str, str]:
    """The passkeys' relying party: where people open the pages (LER_PAGES_ORIGIN), by default the public URL."""
    url = urlparse(state.services.settings.pages_origin or state.services.urls.public_url)
    return url.hostname or "localhost", f"{url.scheme}://{url.netloc}"


def refused(detail: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"ok": False, "detail": detail}, status_code=status)


async def credential_from(request: Request) -> tuple[dict[str, Any], bytes] | None:
    """The browser's credential and the challenge its client data names (None when malformed)."""
    body = await request.body()
    if len(body) > MAX_BODY:
        return None
    try:
        payload = json.loads(body)
        credential = payload["credential"]
        client_data = credential["response"]["clientDataJSON"]
        challenge = json.loads(base64.urlsafe_b64decode(client_data + "=" * (-len(client_data) % 4)))["challenge"]
        return payload, base64.urlsafe_b64decode(challenge + "=" * (-len(challenge) % 4))
    except (ValueError, KeyError, TypeError):
        return None


@router.post("/passkeys/register/options")
def register_options(state: State, viewer: AnyViewer) -> Response:
    rp_id, _ = relying_party(state)
    existing = state.services.sign_ins.passkeys_of(viewer.actor)
    options = generate_registration_options(
        rp_id=rp_id, rp_name="LER ledger", user_id=viewer.actor.id.encode(), user_name=str(viewer.actor),
        user_display_name=f"{viewer.actor.kind.value} {viewer.actor.id[:8]}",
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED, user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=_bytes(p.credential_id)) for p in existing],
    )
    state.services.sign_ins.remember_challenge(options.challenge, REGISTER, viewer.actor)
    return Response(options_to_json(options), media_type="application/json")


@router.post("/passkeys/register")
async def register(request: Request, state: State, viewer: AnyViewer) -> Response:
    found = await credential_from(request)
    if found is None:
        return refused("the passkey answer was not readable")
    payload, challenge = found
    live, principal = state.services.sign_ins.take_challenge(challenge, REGISTER)
    if not live or principal != viewer.actor:
        return refused("the passkey request expired or was not yours; try again")
    rp_id, origin = relying_party(state)
    try:
        verified = verify_registration_response(credential=payload["credential"], expected_challenge=challenge,
                                                expected_rp_id=rp_id, expected_origin=origin)
    except InvalidRegistrationResponse as error:
        return refused(f"the passkey was not accepted: {error}")
    state.services.sign_ins.add_passkey(
        viewer.actor, bytes_to_base64url(verified.credential_id), bytes_to_base64url(verified.credential_public_key),
        verified.sign_count, str(payload.get("label", "")))
    return JSONResponse({"ok": True, "redirect": "/me/account"})


@router.post("/passkeys/sign-in/options")
def sign_in_options(state: State) -> Response:
    rp_id, _ = relying_party(state)
    options = generate_authentication_options(rp_id=rp_id, user_verification=UserVerificationRequirement.PREFERRED)
    state.services.sign_ins.remember_challenge(options.challenge, SIGN_IN, None)
    return Response(options_to_json(options), media_type="application/json")


@router.post("/passkeys/sign-in")
async def sign_in(request: Request, state: State) -> Response:
    found = await credential_from(request)
    if found is None:
        return refused("the passkey answer was not readable")
    payload, challenge = found
    passkey = state.services.sign_ins.passkey(str(payload["credential"].get("id", "")))
    live, _ = state.services.sign_ins.take_challenge(challenge, SIGN_IN)
    if passkey is None or not live:
        return refused("this passkey is not known here, or the request expired; sign in with a link", 401)
    rp_id, origin = relying_party(state)
    try:
        verified = verify_authentication_response(
            credential=payload["credential"], expected_challenge=challenge, expected_rp_id=rp_id,
            expected_origin=origin, credential_public_key=_bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count)
    except InvalidAuthenticationResponse as error:
        return refused(f"the passkey was not accepted: {error}", 401)
    state.services.sign_ins.record_passkey_use(passkey, verified.new_sign_count)
    session_token, session = state.services.sign_ins.start_session(passkey.principal)
    home = "/me" if session.principal.kind.value == "learner" else "/employer"
    response = JSONResponse({"ok": True, "redirect": home})
    set_session_cookie(response, session_token, session, secure_cookies(state))
    return response


def _bytes(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
