// Live preview on the brand form: as the fields change, the preview takes the new
// name, colours, footer and support address. The Preview button does the same
// without JavaScript; the server checks every value again when the brand is saved.
(function () {
  "use strict";
  var form = document.getElementById("brand-form");
  var preview = document.querySelector(".brand-preview");
  if (!form || !preview) return;
  var colour = /^#[0-9a-fA-F]{6}$/;
  function setText(selector, value) {
    var element = preview.querySelector(selector);
    if (element) element.textContent = value;
  }
  function update() {
    var primary = form.elements.primary_color.value;
    var accent = form.elements.accent_color.value;
    if (colour.test(primary)) preview.style.setProperty("--brand-primary", primary);
    if (colour.test(accent)) preview.style.setProperty("--brand-accent", accent);
    setText(".preview-name", form.elements.company_name.value);
    setText(".preview-footer", form.elements.footer_text.value);
    setText(".preview-support", form.elements.support_email.value);
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
})();
