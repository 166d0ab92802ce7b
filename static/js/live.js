// Live tallies (issue #6; contract in notes/live-contract.md). Every element with
// data-live-ws / data-live-poll shows one ballot's turnout, tally and outcome and keeps them up
// to date: over a WebSocket (reconnecting with backoff), else by polling the JSON endpoint.
// No inline script (CSP). Texts come from data-text-* attributes that Django renders with
// {% translate %}; the Dutch below is only a fallback. The server renders the first state; this
// script fills the same data-live-* elements, so the page also works without JavaScript.
(function () {
  "use strict";

  const BACKOFF_START = 500;          // ms; full jitter: wait random(0, min(cap, start * 2^n))
  const BACKOFF_CAP = 30000;
  const FAILURES_BEFORE_POLLING = 3;  // consecutive attempts that never opened
  const CONNECT_TIMEOUT = 10000;      // a socket stuck in CONNECTING counts as a failure
  const POLL_EVERY = 2000;
  const SOCKET_RETRY_WHILE_POLLING = 30000;
  const ANNOUNCE_TURNOUT_EVERY = 15000;
  // A quiet ballot sends nothing; a socket that died without a close (a laptop lid, a NAT
  // timeout) would still look "live". After QUIET_BEFORE_RESYNC without a message the client
  // asks for a resync; no answer within RESYNC_TIMEOUT means the socket is dead: reconnect.
  const QUIET_BEFORE_RESYNC = 45000;
  const RESYNC_TIMEOUT = 10000;
  const FATAL_CLOSE_CODES = { 4401: "unauthenticated", 4403: "forbidden", 4404: "not-found" };
  const FINAL_STATUSES = ["closed", "certified"];
  const FALLBACK_TEXTS = {
    "state-connecting": "verbinden…",
    "state-live": "live",
    "state-polling": "elke paar seconden bijgewerkt",
    "state-offline": "geen verbinding, opnieuw proberen…",
    "state-final": "einduitslag",
    "state-stopped": "bijwerken gestopt",
    "unauthenticated": "U bent niet meer ingelogd. Log opnieuw in om de stand te volgen.",
    "forbidden": "U heeft geen toegang tot de live stand van deze stemming.",
    "not-found": "Deze stemming bestaat niet (meer).",
    "announce-turnout": "Opkomst: {count} van {total}, {percent} procent.",
    "announce-status": "De stemming is nu {status}.",
    "announce-outcome": "Uitslag: {outcome}",
  };

  /** Wait a random time around `ms` (±25 %), so thousands of browsers do not act in step. */
  function jitter(ms) {
    return ms * (0.75 + Math.random() * 0.5);
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return key in values ? String(values[key]) : match;
    });
  }

  function socketUrl(path) {
    if (/^wss?:\/\//.test(path)) return path;
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + path;
  }

  function LiveBallot(root) {
    const lang = document.documentElement.lang || "nl";
    const percentFormat = new Intl.NumberFormat(lang, { maximumFractionDigits: 1, useGrouping: false });
    const wsPath = root.getAttribute("data-live-ws");
    const pollUrl = root.getAttribute("data-live-poll");
    const announcer = root.querySelector("[data-live-announce]") || document.querySelector("[data-live-announce]");

    let version = Number(root.getAttribute("data-live-version")) || 0;
    let shown = {  // what the page shows now (first from the server-rendered page)
      status: root.getAttribute("data-live-status"),
      count: Number(root.getAttribute("data-live-count")) || 0,
      outcome: root.getAttribute("data-live-outcome") === "1",
    };
    const initialStatus = shown.status;
    let latest = null;
    let socket = null;
    let failures = 0;        // consecutive socket attempts that never opened
    let attempt = 0;         // backoff exponent
    let polling = false;
    let stopped = false;
    let reconnectTimer = null;
    let pollTimer = null;
    let lastTurnoutAnnouncement = Date.now();
    let turnoutTimer = null;

    function text(name) {
      return root.getAttribute("data-text-" + name) || FALLBACK_TEXTS[name] || "";
    }

    function percent(part, whole) {
      return percentFormat.format(whole > 0 ? (100 * part) / whole : 0);
    }

    // --- Rendering ------------------------------------------------------------------------

    function setField(scope, name, value) {
      scope.querySelectorAll('[data-live-field="' + name + '"]').forEach(function (element) {
        element.textContent = value == null ? "" : String(value);
      });
    }

    function setMeter(scope, name, value, max) {
      scope.querySelectorAll('[data-live-meter="' + name + '"]').forEach(function (meter) {
        meter.max = max > 0 ? max : 1;
        meter.value = value || 0;
        meter.textContent = percent(value || 0, max) + "%";
      });
    }

    function showPart(name, visible) {
      root.querySelectorAll('[data-live-part="' + name + '"]').forEach(function (element) {
        element.hidden = !visible;
      });
    }

    /** Make `list` hold one row per item, cloned from its <template>, and fill each row. */
    function renderRows(listName, items, fillRow) {
      root.querySelectorAll('[data-live-list="' + listName + '"]').forEach(function (list) {
        const template = root.querySelector('template[data-live-template="' + listName + '"]');
        let rows = list.querySelectorAll("[data-live-row]");
        if (rows.length !== items.length && template) {
          list.replaceChildren();
          items.forEach(function () {
            list.appendChild(template.content.cloneNode(true));
          });
          rows = list.querySelectorAll("[data-live-row]");
        }
        items.forEach(function (item, index) {
          if (rows[index]) fillRow(rows[index], item);
        });
      });
    }

    function render(state) {
      const turnout = state.turnout || {};
      root.setAttribute("data-status", state.status);
      setField(root, "status", state.status_label || state.status);
      setField(root, "question", state.question);
      setField(root, "turnout-count", turnout.count);
      setField(root, "turnout-electorate", turnout.electorate_count);
      setField(root, "turnout-percent", percent(turnout.count, turnout.electorate_count));
      setField(root, "turnout-weight", turnout.weight);
      setField(root, "turnout-electorate-weight", turnout.electorate_weight);
      setField(root, "turnout-weight-percent", percent(turnout.weight, turnout.electorate_weight));
      setMeter(root, "turnout", turnout.count, turnout.electorate_count);
      setMeter(root, "turnout-weight", turnout.weight, turnout.electorate_weight);
      showPart("weighted", Boolean(state.weighted));
      showPart("open", state.status === "open");
      showPart("started", state.status !== "scheduled");  // the electorate is frozen at opening
      showPart("changed", initialStatus != null && state.status !== initialStatus);

      const tally = state.tally;
      showPart("tally", Boolean(tally));
      showPart("tally-hidden", !tally);
      showPart("counting", Boolean(state.counting));
      if (tally) {
        const key = state.weighted ? "weight" : "votes";
        const total = tally.choices.reduce(function (sum, choice) { return sum + (choice[key] || 0); }, 0);
        renderRows("choices", tally.choices, function (row, choice) {
          row.setAttribute("data-role", choice.role || "");
          setField(row, "choice-label", choice.label);
          setField(row, "choice-votes", choice.votes);
          setField(row, "choice-weight", choice.weight);
          setField(row, "choice-percent", percent(choice[key], total));
          setMeter(row, "choice-share", choice[key], total);
        });
      }

      showPart("regions", Boolean(state.regions));
      if (state.regions) {
        renderRows("regions", state.regions, function (row, region) {
          setField(row, "region-name", region.name);
          setField(row, "region-count", region.count);
          setField(row, "region-electorate", region.electorate_count);
          setField(row, "region-percent", percent(region.count, region.electorate_count));
          setField(row, "region-weight", region.weight);
          setField(row, "region-electorate-weight", region.electorate_weight);
          setMeter(row, "region-turnout", region.count, region.electorate_count);
        });
      }

      showPart("outcome", Boolean(state.outcome));
      if (state.outcome) {
        root.querySelectorAll('[data-live-part="outcome"]').forEach(function (element) {
          element.setAttribute("data-result", state.outcome.result);
        });
        setField(root, "outcome", state.outcome.explanation);
      }
    }

    // --- Screen-reader announcements: one polite region, turnout at most every 15 s -------

    function say(message) {
      if (!announcer || !message) return;
      // Empty first, so the same sentence twice in a row is read again.
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = message; }, 100);
    }

    function turnoutSentence(state) {
      const turnout = state.turnout || {};
      return fill(text("announce-turnout"), {
        count: turnout.count,
        total: turnout.electorate_count,
        percent: percent(turnout.count, turnout.electorate_count),
      });
    }

    function announceTurnoutLater() {
      if (turnoutTimer) return;
      const wait = Math.max(0, lastTurnoutAnnouncement + ANNOUNCE_TURNOUT_EVERY - Date.now());
      turnoutTimer = window.setTimeout(function () {
        turnoutTimer = null;
        const count = latest && (latest.turnout || {}).count;
        if (count == null || count === shown.count) return;
        shown.count = count;
        lastTurnoutAnnouncement = Date.now();
        say(turnoutSentence(latest));
      }, wait);
    }

    function announce(state) {
      const count = (state.turnout || {}).count;
      const urgent = [];
      if (state.status !== shown.status) {
        urgent.push(fill(text("announce-status"), { status: state.status_label || state.status }));
      }
      if (state.outcome && !shown.outcome) {
        urgent.push(fill(text("announce-outcome"), { outcome: state.outcome.explanation }));
      }
      shown.status = state.status;
      shown.outcome = Boolean(state.outcome);
      if (urgent.length) {
        if (count !== shown.count) urgent.push(turnoutSentence(state));
        shown.count = count;
        lastTurnoutAnnouncement = Date.now();
        say(urgent.join(" "));
      } else if (count !== shown.count) {
        announceTurnoutLater();
      }
    }

    function apply(state) {
      if (!state || (state.type && state.type !== "state")) return;
      if (typeof state.version !== "number" || state.version <= version) return;  // stale
      version = state.version;
      latest = state;
      render(state);
      announce(state);
      if (FINAL_STATUSES.indexOf(state.status) !== -1 && state.outcome) finish();
    }

    // --- Connection ------------------------------------------------------------------------

    function setConnection(name) {
      root.setAttribute("data-connection", name);
      showPart("connection", true);
      root.querySelectorAll("[data-live-connection]").forEach(function (element) {
        element.textContent = text("state-" + name);
        element.setAttribute("data-state", name);
      });
    }

    function socketsAvailable() {
      return Boolean(wsPath) && typeof window.WebSocket === "function";
    }

    function scheduleReconnect(delay) {
      window.clearTimeout(reconnectTimer);
      reconnectTimer = window.setTimeout(connect, delay);
    }

    function backoff() {
      const ceiling = Math.min(BACKOFF_CAP, BACKOFF_START * Math.pow(2, attempt));
      attempt += 1;
      return Math.random() * ceiling;
    }

    function connect() {
      reconnectTimer = null;
      if (stopped || socket) return;
      if (!socketsAvailable()) {
        startPolling();
        return;
      }
      let opened = false;
      let ws;
      try {
        ws = new window.WebSocket(socketUrl(wsPath));
      } catch (error) {  // e.g. a malformed URL
        failures += 1;
        if (failures >= FAILURES_BEFORE_POLLING) {
          startPolling();
        } else {
          setConnection("offline");
          scheduleReconnect(backoff());
        }
        return;
      }
      socket = ws;
      let ended = false;
      const connectTimer = window.setTimeout(function () {
        if (!opened) ws.close();
      }, CONNECT_TIMEOUT);
      let lastMessageAt = Date.now();
      let resyncAskedAt = 0;
      const watchdog = window.setInterval(function () {
        if (!opened || ended) return;
        const now = Date.now();
        if (resyncAskedAt && now - resyncAskedAt > RESYNC_TIMEOUT) {
          ws.close(4000);  // no answer: treat as lost, the close handler reconnects
        } else if (!resyncAskedAt && now - lastMessageAt > QUIET_BEFORE_RESYNC) {
          resyncAskedAt = now;
          try { ws.send(JSON.stringify({ type: "resync" })); } catch (error) { ws.close(4000); }
        }
      }, RESYNC_TIMEOUT / 2);

      /** Runs once per socket, on its close, or on an error before it opened (a socket
       * blocked by CSP or a proxy may fire "error" and never "close"). */
      function end(code) {
        if (ended) return;
        ended = true;
        window.clearTimeout(connectTimer);
        window.clearInterval(watchdog);
        if (socket === ws) socket = null;
        if (stopped) return;
        if (FATAL_CLOSE_CODES[code]) {
          stop(FATAL_CLOSE_CODES[code]);
          return;
        }
        if (!opened) failures += 1;
        if (polling) {
          scheduleReconnect(jitter(SOCKET_RETRY_WHILE_POLLING));
        } else if (failures >= FAILURES_BEFORE_POLLING) {
          startPolling();
        } else {
          setConnection("offline");
          scheduleReconnect(backoff());
        }
      }

      ws.addEventListener("open", function () {
        opened = true;
        window.clearTimeout(connectTimer);
        failures = 0;
        attempt = 0;
        stopPolling();
        setConnection("live");  // the server sends a full snapshot now: that is the resync
      });
      ws.addEventListener("message", function (event) {
        lastMessageAt = Date.now();
        resyncAskedAt = 0;
        let message;
        try {
          message = JSON.parse(event.data);
        } catch (error) {
          return;
        }
        if (message.type === "state") apply(message);
        else if (message.type === "error" && window.console) window.console.warn("live:", message.error);
      });
      ws.addEventListener("error", function () {
        if (opened) return;  // once open, a "close" always follows an error
        end(null);
        try { ws.close(); } catch (error) { /* already closed */ }
      });
      ws.addEventListener("close", function (event) {
        end(event.code);
      });
    }

    function startPolling() {
      if (stopped || polling) return;
      if (!pollUrl) {  // nothing to fall back on: keep trying the socket, slowly
        setConnection("offline");
        if (socketsAvailable()) scheduleReconnect(jitter(SOCKET_RETRY_WHILE_POLLING));
        return;
      }
      polling = true;
      poll();
      if (socketsAvailable()) scheduleReconnect(jitter(SOCKET_RETRY_WHILE_POLLING));
    }

    function stopPolling() {
      polling = false;
      window.clearTimeout(pollTimer);
      pollTimer = null;
    }

    function poll() {
      pollTimer = null;
      if (!polling || stopped) return;
      window
        .fetch(pollUrl, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status === 401 || response.redirected) return stop("unauthenticated");
          if (response.status === 403) return stop("forbidden");
          if (response.status === 404) return stop("not-found");
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json().then(function (state) {
            if (polling) setConnection("polling");
            apply(state);
          });
        })
        .catch(function () {
          if (polling) setConnection("offline");
        })
        .then(function () {
          if (polling && !stopped) pollTimer = window.setTimeout(poll, jitter(POLL_EVERY));
        });
    }

    function halt() {
      stopped = true;
      stopPolling();
      window.clearTimeout(reconnectTimer);
      if (socket) socket.close(1000);
      socket = null;
    }

    /** The final result is in: nothing will change any more, so let go of the connection. */
    function finish() {
      halt();
      setConnection("final");
    }

    /** Not allowed or not found (close code 4401/4403/4404, or 401/403/404 when polling). */
    function stop(reason) {
      halt();
      window.clearTimeout(turnoutTimer);
      setConnection("stopped");
      const message = text(reason);
      root.querySelectorAll("[data-live-error]").forEach(function (element) {
        element.textContent = message;
        element.hidden = false;
      });
      say(message);
    }

    setConnection("connecting");
    if (FINAL_STATUSES.indexOf(shown.status) !== -1 && shown.outcome) setConnection("final");
    else connect();
  }

  document.querySelectorAll("[data-live-ws], [data-live-poll]").forEach(function (root) {
    LiveBallot(root);
  });
})();
