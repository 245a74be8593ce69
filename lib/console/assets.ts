/**
 * The console's only script and stylesheet, kept as text in a module so `tsc` ships them in
 * dist with the rest and the CSP can forbid every inline script and style.
 */

/** Served as /assets/console.js. Progressive: every page works without it, bar reveal and live progress. */
export const CONSOLE_SCRIPT = `'use strict';
(function () {
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';

  // Live filter of the secrets table.
  var filter = document.querySelector('[data-testid="secrets-filter"]');
  if (filter) {
    var apply = function () {
      var needle = filter.value.trim().toLowerCase();
      document.querySelectorAll('[data-testid="secret-row"]').forEach(function (row) {
        row.hidden = needle !== '' && row.textContent.toLowerCase().indexOf(needle) === -1;
      });
    };
    filter.addEventListener('input', apply);
    apply();
  }

  // Confirmation of every action: the dialog says what will change before the form is sent.
  var dialog = document.querySelector('[data-testid="confirm-dialog"]');
  var pending = null;
  if (dialog) {
    var message = dialog.querySelector('[data-testid="confirm-message"]');
    dialog.querySelector('[data-testid="confirm-cancel"]').addEventListener('click', function () {
      pending = null;
      dialog.close();
    });
    dialog.querySelector('[data-testid="confirm-ok"]').addEventListener('click', function () {
      var form = pending;
      pending = null;
      dialog.close();
      if (form) {
        form.dataset.confirmed = 'yes';
        form.submit();
      }
    });
    document.querySelectorAll('form[data-confirm]').forEach(function (form) {
      form.addEventListener('submit', function (event) {
        if (form.dataset.confirmed === 'yes') return;
        event.preventDefault();
        var text = form.dataset.confirm;
        var target = form.querySelector('select[name="toVersionId"]');
        if (target && target.value) text += ' Target version: ' + target.value + '.';
        var days = form.querySelector('input[name="recoveryWindowDays"]');
        if (days && days.value) text += ' Recovery window: ' + days.value + ' days.';
        message.textContent = text;
        pending = form;
        dialog.showModal();
      });
    });
  }

  // Reveal: fetched by POST on click, shown, and hidden again after a while.
  var reveal = document.querySelector('[data-testid="reveal-button"]');
  if (reveal) {
    var box = document.querySelector('[data-testid="reveal-box"]');
    var value = document.querySelector('[data-testid="reveal-value"]');
    var error = document.querySelector('[data-testid="reveal-error"]');
    var hideAfter = Number(box.dataset.hideAfterMs) || 30000;
    var timer = null;
    var hide = function () {
      value.textContent = '';
      box.hidden = true;
      reveal.hidden = false;
      if (timer) clearTimeout(timer);
      timer = null;
    };
    reveal.addEventListener('click', function () {
      error.hidden = true;
      fetch('/secret/reveal', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ name: reveal.dataset.secret }),
      })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) throw new Error((body.error && body.error.message) || 'The value could not be read.');
            return body;
          });
        })
        .then(function (body) {
          value.textContent = body.value;
          box.hidden = false;
          reveal.hidden = true;
          timer = setTimeout(hide, hideAfter);
        })
        .catch(function (failure) {
          error.textContent = failure.message;
          error.hidden = false;
        });
    });
    document.querySelector('[data-testid="reveal-hide"]').addEventListener('click', hide);
    document.querySelector('[data-testid="reveal-copy"]').addEventListener('click', function () {
      var copied = document.querySelector('[data-testid="reveal-copied"]');
      navigator.clipboard.writeText(value.textContent).then(function () {
        copied.hidden = false;
      });
    });
  }

  // Live progress of a rotation.
  var progress = document.querySelector('[data-testid="rotation-progress"][data-state="running"]');
  if (progress) {
    var poll = function () {
      fetch(progress.dataset.pollUrl, { credentials: 'same-origin' })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          if (!body.steps) return;
          progress.dataset.state = body.state;
          body.steps.forEach(function (step) {
            var item = progress.querySelector('[data-step="' + step.step + '"]');
            if (item) {
              item.dataset.state = step.state;
              item.querySelector('.step-state').textContent = step.state;
            }
          });
          progress.querySelector('[data-testid="rotation-status"]').textContent = body.message;
          if (body.state === 'running') setTimeout(poll, 1000);
        });
    };
    setTimeout(poll, 500);
  }
})();
`;

/** Served as /assets/console.css. */
export const CONSOLE_STYLES = `:root { color-scheme: light; font-family: system-ui, sans-serif; color: #1b1b1b; background: #fff; }
body { margin: 0; }
header { display: flex; gap: 1.5rem; align-items: center; padding: 0.75rem 1.5rem; background: #14213d; color: #fff; }
header a, header button { color: #fff; }
header .brand { font-weight: 700; margin-right: auto; }
header form { margin: 0; }
header button { background: transparent; border: 1px solid #fff; border-radius: 4px; padding: 0.25rem 0.75rem; cursor: pointer; }
main { padding: 1rem 1.5rem 3rem; max-width: 80rem; }
nav.environments { display: flex; gap: 0.5rem; margin: 0.5rem 0 1rem; }
nav.environments a { padding: 0.3rem 0.8rem; border: 1px solid #14213d; border-radius: 999px; text-decoration: none; color: #14213d; }
nav.environments a[aria-current="page"] { background: #14213d; color: #fff; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
th, td { text-align: left; padding: 0.4rem 0.6rem; border-bottom: 1px solid #ccc; vertical-align: top; }
th { background: #f0f0f0; }
.overdue, .failed { color: #a40000; font-weight: 700; }
.due-soon, .pending { color: #7a4d00; }
.flash { padding: 0.6rem 1rem; background: #e6f4ea; border: 1px solid #1e7b34; border-radius: 4px; }
.error { padding: 0.6rem 1rem; background: #fdecea; border: 1px solid #a40000; border-radius: 4px; color: #7a0000; }
.stage { display: inline-block; padding: 0 0.4rem; margin-right: 0.25rem; border-radius: 4px; background: #dde6f7; font-family: ui-monospace, monospace; font-size: 0.85rem; }
ol.timeline { list-style: none; padding-left: 1rem; border-left: 3px solid #14213d; }
ol.timeline li { margin: 0 0 0.75rem; padding-left: 0.5rem; }
code.value { display: block; white-space: pre-wrap; word-break: break-all; padding: 0.5rem; background: #f7f7f7; border: 1px solid #ccc; }
section { margin-bottom: 2rem; }
.actions { display: grid; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); gap: 1rem; }
.actions form { border: 1px solid #ccc; border-radius: 4px; padding: 0.75rem; }
label { display: block; margin: 0.25rem 0; }
input, select, textarea, button { font: inherit; }
button { cursor: pointer; }
textarea { width: 100%; min-height: 4rem; }
ol.steps { display: flex; gap: 1rem; list-style: none; padding: 0; }
ol.steps li { padding: 0.4rem 0.8rem; border: 1px solid #ccc; border-radius: 4px; }
ol.steps li[data-state="done"] { background: #e6f4ea; }
ol.steps li[data-state="running"] { background: #fff4d6; }
ol.steps li[data-state="failed"] { background: #fdecea; }
.legend { display: flex; gap: 1rem; list-style: none; padding: 0; }
.filters { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: end; }
dialog { max-width: 32rem; }
.warning { font-weight: 700; }
`;
