// The manifest builder's enhancements; the page works without them. Sources
// are added and removed in place, only the chosen access control's fields
// show, and secrets are encrypted in this browser for the aggregator's
// public key (WebCrypto RSA-OAEP with SHA-256, which the aggregator
// decrypts), so a secret never leaves the browser in clear: the field it is
// typed in has no name, so forms never send it, and is emptied once the
// secret is encrypted.
(function () {
  'use strict';
  var form;
  var keyPromise = null;

  function groups() {
    return Array.prototype.slice.call(form.querySelectorAll('#sources [data-source]'));
  }

  // renumber keeps ids, labels and the remove buttons' values in step with
  // the sources' order, as the server numbers them.
  function renumber() {
    groups().forEach(function (group, i) {
      group.querySelector('[data-number]').textContent = String(i + 1);
      group.querySelectorAll('[data-field]').forEach(function (el) { el.id = 's' + i + '-' + el.dataset.field; });
      group.querySelectorAll('[data-for]').forEach(function (el) { el.htmlFor = 's' + i + '-' + el.dataset.for; });
      var remove = group.querySelector('[data-remove]');
      if (remove) remove.value = 'remove-' + i;
    });
  }

  function showAuth(group) {
    var chosen = group.querySelector('select[name="auth"]').value;
    group.querySelectorAll('.auth-params').forEach(function (p) { p.hidden = p.dataset.auth !== chosen; });
  }

  function enhance(group) {
    if (window.crypto && window.crypto.subtle) {
      group.querySelectorAll('.js-only').forEach(function (el) { el.hidden = false; });
    }
    showAuth(group);
  }

  function addSource() {
    var template = document.getElementById('source-template');
    var group = template.content.firstElementChild.cloneNode(true);
    document.getElementById('sources').appendChild(group);
    enhance(group);
    renumber();
    group.querySelector('select[name="type"]').focus();
  }

  function removeSource(button) {
    button.closest('[data-source]').remove();
    renumber();
    document.getElementById('add-source').focus();
  }

  function say(key, arg) {
    var status = document.getElementById('encrypt-status');
    status.textContent = (status.dataset[key] || '').replace('%s', arg || '');
  }

  function fromPEM(pem) {
    var b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    var raw = atob(b64);
    var der = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) der[i] = raw.charCodeAt(i);
    return der;
  }

  function toBase64(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }

  // publicKey fetches the aggregator's current key once (again after a
  // failure).
  function publicKey() {
    if (!keyPromise) {
      keyPromise = fetch('/api/v1/public-key', { headers: { Accept: 'application/json' } })
        .then(function (resp) {
          if (!resp.ok) throw new Error('HTTP ' + resp.status);
          return resp.json();
        })
        .then(function (doc) {
          return crypto.subtle.importKey('spki', fromPEM(doc.public_key), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt'])
            .then(function (key) { return { key: key, id: doc.key_id }; });
        });
      keyPromise.catch(function () { keyPromise = null; });
    }
    return keyPromise;
  }

  // encrypt puts the secret typed in clear into its named field,
  // encrypted, and empties the clear one.
  function encrypt(clear) {
    if (!clear.value) return Promise.resolve(false);
    var target = clear.closest('[data-source]').querySelector('[name="' + clear.dataset.encryptInto + '"]');
    return publicKey().then(function (k) {
      return crypto.subtle.encrypt({ name: 'RSA-OAEP' }, k.key, new TextEncoder().encode(clear.value)).then(function (ct) {
        target.value = toBase64(new Uint8Array(ct));
        clear.value = '';
        say('done', k.id);
        return true;
      });
    }).catch(function () {
      say('failed');
      throw new Error('encryption failed');
    });
  }

  function pendingSecrets() {
    return Array.prototype.slice.call(form.querySelectorAll('[data-encrypt-into]')).filter(function (el) { return el.value; });
  }

  function init() {
    form = document.getElementById('builder-form');
    if (!form) return;
    groups().forEach(enhance);
    form.querySelectorAll('.nojs').forEach(function (el) { el.hidden = !!(window.crypto && window.crypto.subtle); });

    form.addEventListener('click', function (e) {
      var button = e.target.closest('button');
      if (!button) return;
      if (button.id === 'add-source') {
        e.preventDefault();
        addSource();
      } else if (button.hasAttribute('data-remove')) {
        e.preventDefault();
        removeSource(button);
      } else if (button.dataset.encrypt) {
        e.preventDefault();
        var clear = button.closest('.clear-secret').querySelector('[data-encrypt-into]');
        encrypt(clear).catch(function () {});
      }
    });
    form.addEventListener('change', function (e) {
      if (e.target.matches('select[name="auth"]')) showAuth(e.target.closest('[data-source]'));
    });
    // A secret typed but not yet encrypted is encrypted before the form
    // goes; if that fails, the form does not go.
    form.addEventListener('submit', function (e) {
      var pending = pendingSecrets();
      if (pending.length === 0) return;
      e.preventDefault();
      var submitter = e.submitter;
      Promise.all(pending.map(encrypt)).then(function () {
        form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
      }).catch(function () {});
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
