// A meeting's live pages follow the chair (issue #15). The element with data-meeting-ws holds
// the state the server rendered (data-meeting-signature). Over the meeting's WebSocket (or, if
// it cannot connect, by polling data-meeting-poll) the page learns of a new current item or a
// ballot that opened or closed: the projector (data-meeting-reload) reloads itself, other
// pages update the current item and offer a reload. The board's console also gets attendance
// counts. No inline script (CSP); texts come from data-text-* attributes.
(function () {
  "use strict";
  const root = document.querySelector("[data-meeting-ws]");
  if (!root) return;

  const BACKOFF_START = 500;
  const BACKOFF_CAP = 15000;
  const FAILURES_BEFORE_POLLING = 3;
  const POLL_EVERY = 3000;
  let signature = root.getAttribute("data-meeting-signature");
  let failures = 0;
  let attempt = 0;
  let pollTimer = null;

  function text(name, values) {
    const template = root.getAttribute("data-text-" + name) || "";
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? String(values[key]) : match;
    });
  }

  function showCurrent(state) {
    const item = state.current_item;
    root.querySelectorAll("[data-item-id]").forEach(function (element) {
      const current = item && String(item.id) === element.getAttribute("data-item-id");
      element.classList.toggle("agenda-current", !!current);
      if (current) element.setAttribute("aria-current", "step");
      else element.removeAttribute("aria-current");
      const badge = element.querySelector("[data-current-badge]");
      if (badge) badge.hidden = !current;
    });
    const line = root.querySelector("[data-meeting-current]");
    if (line) line.textContent = item ? text("changed", { title: item.title }) : text("no-item", {});
    const changed = root.querySelector("[data-meeting-changed]");
    if (changed) changed.hidden = false;
  }

  function apply(state) {
    if (state.type === "attendance") {
      const figure = root.querySelector("[data-meeting-attendance]");
      if (figure) figure.textContent = text("attendance", state);
      return;
    }
    if (state.type !== "meeting" || state.signature === signature) return;
    signature = state.signature;
    if (root.hasAttribute("data-meeting-reload")) {
      window.location.reload();
      return;
    }
    showCurrent(state);
  }

  function socketUrl() {
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    let path = root.getAttribute("data-meeting-ws");
    if (root.hasAttribute("data-meeting-public")) path += "?audience=public";
    return scheme + window.location.host + path;
  }

  function poll() {
    window
      .fetch(root.getAttribute("data-meeting-poll"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) { if (state) apply(state); })
      .catch(function () { /* try again */ })
      .then(function () { pollTimer = window.setTimeout(poll, POLL_EVERY); });
  }

  function connect() {
    let opened = false;
    let socket;
    try {
      socket = new WebSocket(socketUrl());
    } catch (error) {
      failures += 1;
      retry();
      return;
    }
    socket.addEventListener("open", function () {
      opened = true;
      failures = 0;
      attempt = 0;
      if (pollTimer) { window.clearTimeout(pollTimer); pollTimer = null; }
    });
    socket.addEventListener("message", function (event) {
      try { apply(JSON.parse(event.data)); } catch (error) { /* ignore a bad frame */ }
    });
    socket.addEventListener("close", function (event) {
      if (event.code >= 4400 && event.code < 4500) return;  // not allowed: stay as we are
      if (!opened) failures += 1;
      retry();
    });
  }

  function retry() {
    if (failures >= FAILURES_BEFORE_POLLING && !pollTimer) poll();
    const wait = Math.random() * Math.min(BACKOFF_CAP, BACKOFF_START * Math.pow(2, attempt));
    attempt += 1;
    window.setTimeout(connect, wait);
  }

  if (!("WebSocket" in window)) poll();
  else connect();
})();
