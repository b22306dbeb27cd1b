/* Kiln's one script: it only enhances pages that work without it (posting, replying, previewing). */
(function () {
  "use strict";
  var form, home, replying, parentField, rememberBox, live, liveBody;
  var STORE = "kiln-commenter";
  var KEPT = ["author", "email", "website"];

  function field(name) { return form.elements.namedItem(name); }

  /* Folded comments open when a link leads into them. */
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    var fold = target && target.closest("details");
    if (fold) { fold.open = true; target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();

  function saved() {
    try { return JSON.parse(localStorage.getItem(STORE) || "null"); } catch (e) { return null; }
  }
  function keepOrForget() {
    if (!rememberBox) { return; }
    try {
      if (rememberBox.checked) {
        var values = {};
        KEPT.forEach(function (name) { values[name] = field(name).value; });
        localStorage.setItem(STORE, JSON.stringify(values));
      } else {
        localStorage.removeItem(STORE);
      }
    } catch (e) { /* storage refused (private mode): nothing to keep */ }
  }

  /* Replies: the one form moves under the comment answered. */
  function replyTo(link) {
    var item = document.getElementById("comment-" + link.dataset.reply);
    if (!item) { return false; }
    var author = item.querySelector(".comment-author");
    item.querySelector("article").appendChild(form);
    parentField.value = link.dataset.reply;
    replying.querySelector("bdi").textContent = author ? author.textContent.trim() : "";
    replying.querySelector("a").setAttribute("href", "#comment-" + link.dataset.reply);
    replying.hidden = false;
    replying.dataset.from = link.dataset.reply;
    field("body").focus();
    return true;
  }
  function cancelReply() {
    var from = replying.dataset.from;
    home.appendChild(form);
    parentField.value = "";
    replying.hidden = true;
    var link = from && document.querySelector('.reply-link[data-reply="' + from + '"]');
    if (link) { link.focus(); }
  }
  document.addEventListener("click", function (event) {
    if (!form) { return; }
    var link = event.target.closest && event.target.closest(".reply-link");
    if (link && replyTo(link)) { event.preventDefault(); }
    if (event.target.closest && event.target.closest(".cancel-reply")) { event.preventDefault(); cancelReply(); }
  });

  /* Live preview, rendered and sanitised by the service exactly as it will be stored. */
  var timer = 0;
  var asked = 0;
  function previewNow() {
    var text = field("body").value;
    var ticket = ++asked;
    if (!text.trim()) { live.hidden = true; return; }
    var data = new FormData();
    data.append("body", text);
    fetch(form.dataset.preview, { method: "POST", body: data, headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) {
        if (!answer || ticket !== asked) { return; }
        /* The service's sanitiser made this HTML, as it makes every stored comment's. */
        liveBody.innerHTML = answer.html;
        live.hidden = !answer.html;
      })
      .catch(function () { live.hidden = true; });
  }

  /* Posting without a page load: the answer shows in place, as the page without script would show it. */
  function clearErrors() {
    form.querySelectorAll(".field-error, .error-summary").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("aria-describedby");
    });
  }
  function showErrors(message, errors) {
    clearErrors();
    var summary = document.createElement("div");
    summary.className = "error-summary";
    summary.setAttribute("role", "alert");
    summary.tabIndex = -1;
    var intro = document.createElement("p");
    intro.textContent = message;
    summary.appendChild(intro);
    var list = document.createElement("ul");
    Object.keys(errors || {}).forEach(function (name) {
      var input = document.getElementById(name + "-new") || field("body");
      var label = form.querySelector('label[for="' + input.id + '"]');
      var name0 = label ? label.firstChild.textContent.trim() : name;
      var problem = document.createElement("strong");
      problem.className = "field-error";
      problem.id = name + "-error";
      problem.textContent = " " + errors[name];
      (label || input).after(problem);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", problem.id);
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = "#" + input.id;
      link.textContent = name0;
      item.appendChild(link);
      item.appendChild(document.createTextNode(" " + errors[name]));
      list.appendChild(item);
    });
    if (list.children.length) { summary.appendChild(list); }
    form.prepend(summary);
    summary.focus();
  }
  function showOwn(page, id) {
    return fetch(page, { credentials: "include", headers: { Accept: "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("comments");
        var mine = fresh && fresh.querySelector("#comment-" + id);
        if (!mine) { throw new Error("not shown"); }
        document.getElementById("comments").replaceWith(fresh);
        enhance();
        var note = mine.querySelector(".kiln-notice") || mine;
        note.tabIndex = -1;
        var fold = mine.closest("details");
        if (fold) { fold.open = true; }
        note.focus();
        note.scrollIntoView({ block: "center" });
      });
  }
  function onSubmit(event) {
    var submitter = event.submitter;
    if (submitter && submitter.name === "preview") { return; }
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "include", headers: { Accept: "application/json" }
    })
      .then(function (r) {
        return r.json().then(function (answer) { return { status: r.status, answer: answer }; });
      })
      .then(function (reply) {
        if (reply.status === 201 || reply.status === 202) {
          keepOrForget();
          return showOwn(reply.answer.page, reply.answer.id).catch(function () {
            location.assign(reply.answer.page + "#comment-" + reply.answer.id);
          });
        }
        button.disabled = false;
        showErrors(reply.answer.errors ? form.dataset.fix : reply.answer.message, reply.answer.errors);
      })
      .catch(function () {
        /* The script could not talk to the service: let the browser post the form itself. */
        button.disabled = false;
        HTMLFormElement.prototype.submit.call(form);
      });
  }

  /* Set up the page's form (again after a comment is posted: the fresh section brings a fresh form). */
  function enhance() {
    form = document.getElementById("comment-form");
    if (!form || form.dataset.preview === undefined) { return; }
    home = form.parentNode;
    replying = document.getElementById("replying-to");
    parentField = field("parent");
    /* "Remember me": the reader's consent, kept in this browser only. */
    var remember = form.querySelector(".remember");
    rememberBox = document.getElementById("remember-new");
    if (remember && rememberBox) {
      remember.hidden = false;
      var known = saved();
      if (known) {
        KEPT.forEach(function (name) { if (!field(name).value) { field(name).value = known[name] || ""; } });
        rememberBox.checked = true;
      }
    }
    var previewButton = form.querySelector("button[name=preview]");
    live = document.createElement("div");
    live.className = "live-preview";
    live.hidden = true;
    var liveTitle = document.createElement("p");
    liveTitle.className = "live-preview-title";
    liveTitle.textContent = previewButton ? previewButton.textContent : "";
    liveBody = document.createElement("div");
    liveBody.className = "comment-body";
    live.appendChild(liveTitle);
    live.appendChild(liveBody);
    field("body").parentNode.after(live);
    field("body").addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(previewNow, 400);
    });
    form.addEventListener("submit", onSubmit);
  }
  enhance();
})();
