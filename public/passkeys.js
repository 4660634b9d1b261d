// Passkeys: runs the WebAuthn ceremonies for the Add form of My Account (#passkey-add)
// and the "Sign in with a passkey" / "Confirm with a passkey" buttons (.passkey-sign-in).
// The server sends webauthn-rs's options as JSON (binary values in base64url); this turns
// them into what navigator.credentials expects and the browser's answer back into JSON.
// Without this script (or without passkey support) the buttons stay hidden and the page
// says passkeys need JavaScript; everything else on the page works without it.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) return;

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) base64 += "=";
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // The words of a message: the page puts them, in its language, in data-msg-* attributes
  // of the form or the button's container; English when it did not.
  function words(element, name, fallback) {
    var text = element && element.dataset ? element.dataset[name] : null;
    return text || fallback;
  }

  // POSTs JSON with the page's CSRF token; resolves to {ok, data}. `element` carries the
  // page's words.
  function post(url, token, body, element) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(
        function (data) { return { ok: response.ok, data: data }; },
        function () {
          var text = words(element, "msgServer", "The server answered {status}. Please try again.");
          return { ok: false, data: { error: text.replace("{status}", String(response.status)) } };
        }
      );
    });
  }

  function refused(answer, element) {
    return new Error(answer.data.error || words(element, "msgFailed", "That did not work. Please try again."));
  }

  // The browser's own errors, in words a person can act on.
  function explain(error, element) {
    if (error && error.name === "NotAllowedError") {
      return words(element, "msgCancelled", "The passkey request was cancelled or timed out.");
    }
    if (error && error.name === "InvalidStateError") {
      return words(element, "msgExists", "This device already has a passkey for you here.");
    }
    return (error && error.message) || words(element, "msgFailed", "That did not work. Please try again.");
  }

  function showError(box, message) {
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }

  function reveal(container) {
    var notes = container.querySelectorAll(".passkey-needs-script");
    for (var i = 0; i < notes.length; i++) notes[i].hidden = true;
  }

  // Goes where the server said; to this very page (another #part of it) by loading it
  // again, so that its message shows.
  function go(to) {
    var target = new URL(to, window.location.href);
    var here = window.location;
    if (target.pathname === here.pathname && target.search === here.search) {
      here.hash = target.hash;
      here.reload();
    } else {
      here.assign(target.href);
    }
  }

  function credentialJson(credential, response) {
    return { id: credential.id, rawId: toText(credential.rawId), type: credential.type, response: response, extensions: {} };
  }

  // Adding a passkey (My Account → Passkeys).
  var form = document.getElementById("passkey-add");
  if (form) {
    form.hidden = false;
    reveal(form.parentNode);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var token = form.elements.csrf_token.value;
      var button = form.querySelector("button[type=submit]");
      var box = form.querySelector(".passkey-error");
      button.disabled = true;
      post(form.dataset.options, token, { name: form.elements.name.value }, form)
        .then(function (answer) {
          if (answer.data.confirm) {
            // Confirm it is you first: the form goes to the server as a plain form.
            HTMLFormElement.prototype.submit.call(form);
            return null;
          }
          if (!answer.ok) throw refused(answer, form);
          var options = answer.data.publicKey;
          options.challenge = toBytes(options.challenge);
          options.user.id = toBytes(options.user.id);
          (options.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
          return navigator.credentials.create({ publicKey: options }).then(function (credential) {
            return post(form.dataset.finish, token, credentialJson(credential, {
              attestationObject: toText(credential.response.attestationObject),
              clientDataJSON: toText(credential.response.clientDataJSON)
            }), form);
          }).then(function (answer) {
            if (!answer.ok) throw refused(answer, form);
            go(answer.data.redirect);
          });
        })
        .catch(function (error) {
          showError(box, explain(error, form));
          button.disabled = false;
        });
    });
  }

  // Signing in, or confirming it is you, with any passkey of this site.
  var starts = document.querySelectorAll(".passkey-sign-in");
  Array.prototype.forEach.call(starts, function (container) {
    var button = container.querySelector(".passkey-start");
    var box = container.querySelector(".passkey-error");
    if (!button) return;
    button.hidden = false;
    reveal(container);
    button.addEventListener("click", function () {
      var token = container.dataset.csrf;
      var start = { next: container.dataset.next || null, then: container.dataset.then || null };
      button.disabled = true;
      post(container.dataset.options, token, start, container)
        .then(function (answer) {
          if (!answer.ok) throw refused(answer, container);
          var options = answer.data.publicKey;
          options.challenge = toBytes(options.challenge);
          (options.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
          return navigator.credentials.get({ publicKey: options });
        })
        .then(function (credential) {
          var response = credential.response;
          return post(container.dataset.finish, token, credentialJson(credential, {
            authenticatorData: toText(response.authenticatorData),
            clientDataJSON: toText(response.clientDataJSON),
            signature: toText(response.signature),
            userHandle: response.userHandle ? toText(response.userHandle) : null
          }), container);
        })
        .then(function (answer) {
          if (!answer.ok) throw refused(answer, container);
          go(answer.data.redirect);
        })
        .catch(function (error) {
          showError(box, explain(error, container));
          button.disabled = false;
        });
    });
  });
})();
