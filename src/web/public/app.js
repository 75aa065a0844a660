// The phone menu toggle. CSS hides the menu on narrow screens only once this script
// has marked <html class="js">, so without JavaScript the menu simply stays open.
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  document.addEventListener('DOMContentLoaded', function () {
    var toggle = document.querySelector('[data-menu-toggle]');
    var menu = toggle && document.getElementById(toggle.getAttribute('aria-controls'));
    if (!menu) return;

    function setOpen(open) {
      toggle.setAttribute('aria-expanded', String(open));
      menu.classList.toggle('is-open', open);
    }

    toggle.addEventListener('click', function () {
      setOpen(toggle.getAttribute('aria-expanded') !== 'true');
    });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && toggle.getAttribute('aria-expanded') === 'true') {
        setOpen(false);
        toggle.focus();
      }
    });
  });

  // A message's attachment in the back office: the form is sent url-encoded (no multipart
  // parser on the server), so the file is read here into hidden fields as base64.
  document.addEventListener('DOMContentLoaded', function () {
    var field = document.querySelector('[data-attachment-field]');
    if (!field) return;
    var input = field.querySelector('[data-attachment-file]');
    var name = field.querySelector('[data-attachment-name]');
    var data = field.querySelector('[data-attachment-data]');
    field.hidden = false;
    input.addEventListener('change', function () {
      var file = input.files && input.files[0];
      name.value = '';
      data.value = '';
      input.setCustomValidity('');
      if (!file) return;
      if (file.size > Number(input.getAttribute('data-max-bytes'))) {
        input.setCustomValidity(input.getAttribute('data-too-large'));
        input.reportValidity();
        input.value = '';
        return;
      }
      var reader = new FileReader();
      reader.onload = function () {
        var url = String(reader.result);
        name.value = file.name;
        data.value = url.slice(url.indexOf(',') + 1);
      };
      reader.readAsDataURL(file);
    });
  });
})();
