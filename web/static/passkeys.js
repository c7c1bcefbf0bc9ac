// Passkeys: the small part of signing in that needs navigator.credentials. Everything else works without script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  if (!window.PublicKeyCredential) { return; }

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) { base64 += "="; }
    var binary = atob(base64), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer), binary = "";
    for (var i = 0; i < bytes.length; i++) { binary += String.fromCharCode(bytes[i]); }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
      body: JSON.stringify(body || {})
    }).then(function (answer) {
      return answer.json().catch(function () { return { ok: false, detail: "the ledger refused the request" }; })
        .then(function (data) { if (!answer.ok && data.ok === undefined) { data.ok = false; } return data; });
    });
  }

  function say(text) {
    var status = document.getElementById("passkey-status");
    if (status) { status.textContent = text; }
  }

  function register(box) {
    var label = document.getElementById("passkey-label");
    post(box.dataset.optionsUrl, box.dataset.csrf).then(function (options) {
      options.challenge = toBytes(options.challenge);
      options.user.id = toBytes(options.user.id);
      (options.excludeCredentials || []).forEach(function (item) { item.id = toBytes(item.id); });
      return navigator.credentials.create({ publicKey: options });
    }).then(function (made) {
      var credential = {
        id: made.id, rawId: toText(made.rawId), type: made.type,
        response: {
          clientDataJSON: toText(made.response.clientDataJSON),
          attestationObject: toText(made.response.attestationObject),
          transports: made.response.getTransports ? made.response.getTransports() : []
        },
        clientExtensionResults: made.getClientExtensionResults()
      };
      return post(box.dataset.verifyUrl, box.dataset.csrf, { credential: credential, label: label ? label.value : "" });
    }).then(function (result) {
      if (result.ok) { say("Passkey added."); window.location.assign(result.redirect); }
      else { say("The passkey was not added: " + (result.detail || "please try again")); }
    }).catch(function (error) { say("The passkey was not added: " + error.message); });
  }

  function signIn(box) {
    post(box.dataset.optionsUrl, box.dataset.csrf).then(function (options) {
      options.challenge = toBytes(options.challenge);
      (options.allowCredentials || []).forEach(function (item) { item.id = toBytes(item.id); });
      return navigator.credentials.get({ publicKey: options });
    }).then(function (found) {
      var credential = {
        id: found.id, rawId: toText(found.rawId), type: found.type,
        response: {
          clientDataJSON: toText(found.response.clientDataJSON),
          authenticatorData: toText(found.response.authenticatorData),
          signature: toText(found.response.signature),
          userHandle: found.response.userHandle ? toText(found.response.userHandle) : null
        },
        clientExtensionResults: found.getClientExtensionResults()
      };
      return post(box.dataset.verifyUrl, box.dataset.csrf, { credential: credential });
    }).then(function (result) {
      if (result.ok) { say("Signed in."); window.location.assign(result.redirect); }
      else { say("Not signed in: " + (result.detail || "please try again")); }
    }).catch(function (error) { say("Not signed in: " + error.message); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var registerBox = document.getElementById("passkey-register");
    var signInBox = document.getElementById("passkey-sign-in");
    if (registerBox) {
      document.getElementById("passkey-register-button").addEventListener("click", function () { register(registerBox); });
    }
    if (signInBox) {
      document.getElementById("passkey-sign-in-button").addEventListener("click", function () { signIn(signInBox); });
    }
  });
}());
