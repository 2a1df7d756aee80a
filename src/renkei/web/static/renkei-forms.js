/* The editor's forms, enhanced. Without this script they are plain forms that post and work.
 *
 * - The licence select shows the chosen licence's plain summary.
 * - Forms with a file (data-upload-form) send through XMLHttpRequest so that a progress bar
 *   can follow the upload; the server answers JSON (Accept: application/json): where to go
 *   next, or the errors to put next to the fields.
 */
(function () {
  "use strict";

  document.querySelectorAll("[data-license-select]").forEach(function (select) {
    var summary = document.getElementById("license-summary");
    select.addEventListener("change", function () {
      var option = select.options[select.selectedIndex];
      summary.textContent = (option && option.getAttribute("data-summary")) || "";
    });
  });

  function showErrors(form, errors) {
    form.querySelectorAll(".field-message").forEach(function (node) { node.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) { node.removeAttribute("aria-invalid"); });
    var summary = document.getElementById("form-errors");
    var others = [];
    Object.keys(errors).forEach(function (field) {
      var message = document.getElementById("error-" + field);
      var input = document.getElementById("f-" + field);
      if (message) message.textContent = errors[field].join(" ");
      else others = others.concat(errors[field]);
      if (input) input.setAttribute("aria-invalid", "true");
    });
    if (summary) {
      summary.textContent = "";
      var p = document.createElement("p");
      p.textContent = summary.getAttribute("data-message") || form.getAttribute("data-error-message") || "";
      summary.appendChild(p);
      others.forEach(function (text) {
        var item = document.createElement("p");
        item.textContent = text;
        summary.appendChild(item);
      });
      summary.hidden = false;
    }
    var first = form.querySelector("[aria-invalid=true]");
    if (first) first.focus();
  }

  document.querySelectorAll("form[data-upload-form]").forEach(function (form) {
    var box = form.querySelector(".upload-progress");
    var bar = form.querySelector("progress");
    var percent = form.querySelector(".upload-percent");
    var submit = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      if (typeof FormData === "undefined" || typeof XMLHttpRequest === "undefined") return;
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      var file = form.querySelector("input[type=file]");
      var sending = file && file.files && file.files.length > 0;
      if (sending) {
        box.hidden = false;
        bar.value = 0;
        percent.textContent = "0%";
      }
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var value = Math.round((e.loaded / e.total) * 100);
        bar.value = value;
        percent.textContent = value + "%";
      });
      xhr.addEventListener("load", function () {
        submit.disabled = false;
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status < 300 && body && body.redirect) {
          window.location.assign(body.redirect);
          return;
        }
        box.hidden = true;
        if (body && body.errors) showErrors(form, body.errors);
        else if (body && body.error) showErrors(form, { upload: [body.error] });
        else showErrors(form, { upload: [form.getAttribute("data-failed-message")] });
      });
      xhr.addEventListener("error", function () {
        submit.disabled = false;
        box.hidden = true;
        showErrors(form, { upload: [form.getAttribute("data-failed-message")] });
      });
      submit.disabled = true;
      xhr.send(new FormData(form));
    });
  });
})();
