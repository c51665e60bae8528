/* The web chat: talks to the chat API, shows replies, reads them aloud, and clears itself.
   What the child sends waits in an outbox until the service has it, so nothing typed while
   the service cannot be reached is lost. What the page has shown is kept in this tab only
   (sessionStorage, which goes with the tab), so a reload shows the conversation again, the
   advocate's replies too: the service hands each of those over once. Quick exit, "Forget me"
   and a kiosk clearing itself remove it. */
"use strict";

(() => {
  const API = "/api/chat/sessions";
  const STORE = "rightsline-session"; // the session id
  const SHOWN = "rightsline-shown"; // what the page has shown, in this tab only
  const KEEP_SHOWN = 400; // the newest bubbles a reload shows again
  const page = document.body.dataset;
  const kiosk = page.kiosk === "on";
  const idleMs = Number(page.idleMinutes) * 60000;
  const pollMs = Number(page.pollSeconds) * 1000;
  // Tries after a failure wait twice as long each time, up to half a minute.
  const FIRST_RETRY_MS = 1000;
  const LONGEST_RETRY_MS = 30000;
  const LEAVE_WAIT_MS = 800; // the longest quick exit waits to hear the chat was deleted
  const speech = "speechSynthesis" in window && typeof SpeechSynthesisUtterance === "function";
  const calm = window.matchMedia("(prefers-reduced-motion: reduce)");

  const $ = (id) => document.getElementById(id);
  const messages = $("messages");
  const typing = $("typing");
  const problem = $("problem");
  const input = $("text");

  let sessionId = null;
  let ended = false;
  // Each bubble on screen as it is kept for a reload, in order; the child's own bubbles carry
  // what was sent and whether the service has it yet.
  let shown = [];
  const entryOf = new WeakMap();
  let pollTimer = 0;
  let idleTimer = 0;

  // Steps waiting for the service, oldest first: starting the chat, then each message in the
  // order it was sent. A step leaves only once the service has answered it.
  const outbox = [];
  let sending = false;
  let retryMs = 0; // 0 while the service answers
  let retryTimer = 0;
  let alerted = ""; // the problem words last read out, so a retry does not repeat them

  // ---- talking to the API ---------------------------------------------------------------

  class Problem extends Error {}

  async function call(method, url, body) {
    const init = { method, cache: "no-store", headers: { Accept: "application/json" } };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch {
      throw new Problem("offline");
    }
    if (response.status === 404) return { gone: true };
    if (!response.ok) throw new Problem("server");
    try {
      return await response.json();
    } catch {
      throw new Problem("server");
    }
  }

  async function newSession(showGreeting) {
    const started = await call("POST", API, { role: page.role });
    if (!started.session_id) throw new Problem("server");
    remember(started.session_id);
    if (showGreeting) show(started.replies, "bot", false);
  }

  function remember(id) {
    sessionId = id;
    try {
      if (id) sessionStorage.setItem(STORE, id);
      else sessionStorage.removeItem(STORE);
    } catch {
      // Storage can be switched off; the chat still works for this page.
    }
  }

  async function begin() {
    let saved = null;
    try {
      saved = sessionStorage.getItem(STORE);
    } catch {
      saved = null;
    }
    if (saved && shown.length) {
      // The page was reloaded and shows the conversation so far again: carry on with the same
      // chat, and show any advocate reply that came in the meantime.
      const waiting = await call("GET", `${API}/${encodeURIComponent(saved)}/messages`);
      if (!waiting.gone) {
        sessionId = saved;
        if (Array.isArray(waiting.replies)) show(waiting.replies, "relayed", false);
        return;
      }
      clearShown(); // the chat has gone from the service, so its words go from here too
    } else if (saved) {
      // Reloaded with nothing kept to show (storage was full, say): carry on, from the menu.
      const resumed = await call("POST", `${API}/${encodeURIComponent(saved)}/messages`, {
        payload: "menu",
      });
      if (!resumed.gone) {
        sessionId = saved;
        show(resumed.replies, "bot", false);
        return;
      }
    }
    await newSession(true);
  }

  // `item`: the child's bubble this answers; its replies go just after it, before any message
  // typed later (two sent while offline are each answered under their own words).
  async function post(inbound, fromChoice, item) {
    if (!sessionId) await newSession(false);
    const url = () => `${API}/${encodeURIComponent(sessionId)}/messages`;
    let result = await call("POST", url(), inbound);
    if (result.gone) {
      // The chat was deleted ("Forget me"): start a fresh one and say it there.
      await newSession(false);
      result = await call("POST", url(), inbound);
    }
    if (result.gone || !Array.isArray(result.replies)) throw new Problem("server");
    if (result.forgotten) {
      // The service has deleted the chat ("Forget me", pressed or typed): what it said goes
      // from the screen and this tab too, and the next message starts a new chat. A turn that
      // failed deleted nothing, so nothing is cleared and the child can try again.
      clearShown();
      remember(null);
    }
    show(result.replies, "bot", fromChoice, item);
  }

  // `item` is the child's own bubble for a message, null for starting the chat.
  function queue(step, item) {
    if (ended) return;
    outbox.push({ step, item });
    if (retryMs && item) markUnsent(item); // the service is already known to be out of reach
    flush();
  }

  // Sends what waits, in order, with the typing dots. On a failure everything still waiting is
  // marked "not sent yet", Childline's number stays on screen, and it tries again later.
  async function flush() {
    if (sending || ended) return;
    sending = true;
    clearTimeout(retryTimer);
    typing.hidden = false;
    try {
      while (outbox.length && !ended) {
        await outbox[0].step();
        const done = outbox.shift();
        if (done.item) markSent(done.item);
        retryMs = 0;
      }
      if (!ended) hideProblem();
    } catch (error) {
      if (!ended) {
        retryMs = Math.min(retryMs * 2 || FIRST_RETRY_MS, LONGEST_RETRY_MS);
        retryTimer = setTimeout(flush, retryMs);
        for (const { item } of outbox) if (item) markUnsent(item);
        showProblem(error instanceof Problem ? error.message : "server");
      }
    } finally {
      sending = false;
      typing.hidden = true;
    }
  }

  function unsentMessages() {
    return outbox.some(({ item }) => item);
  }

  function send(inbound, said, fromChoice) {
    if (ended) return;
    const item = addMine(said, inbound, false);
    queue(() => post(inbound, fromChoice, item), item);
  }

  // ---- advocate replies -----------------------------------------------------------------

  function schedulePoll() {
    clearTimeout(pollTimer);
    if (!ended) pollTimer = setTimeout(poll, pollMs);
  }

  async function poll() {
    if (sessionId && !sending && !ended) {
      try {
        const result = await call("GET", `${API}/${encodeURIComponent(sessionId)}/messages`);
        if (result.gone) remember(null);
        else if (Array.isArray(result.replies) && result.replies.length && !ended) {
          show(result.replies, "relayed", false);
        }
        // The service answers again: send what waits now rather than at the next try.
        if (outbox.length) flush();
        else hideProblem();
      } catch (error) {
        if (!outbox.length) showProblem(error.message);
      }
    }
    schedulePoll();
  }

  // ---- what the page shows --------------------------------------------------------------

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Phone numbers as UK numbers are written (0800 1111, 0808 800 5792, 116 123, +44 ...),
  // not inside a longer run of digits. No look-behind: older tablets' browsers lack it.
  const PHONE = /(^|[^\d/])((?:\+44[ -]?|0)\d(?:[ -]?\d){6,10}|116[ -]?\d{3})(?![\d/])/g;

  // The words as text nodes, each phone number a tel: link; never parsed as markup.
  function withPhoneLinks(node, text) {
    let at = 0;
    for (const found of text.matchAll(PHONE)) {
      const start = found.index + found[1].length;
      const number = found[2];
      node.append(text.slice(at, start));
      const link = make("a", "tel", number);
      link.href = `tel:${number.replace(/[ -]/g, "")}`;
      node.append(link);
      at = start + number.length;
    }
    node.append(text.slice(at));
    return node;
  }

  // `inbound` is what was sent for it, kept so a reload can send it if the service never had it.
  function addMine(text, inbound, sent) {
    const item = make("li", "msg me");
    item.append(make("span", "visually-hidden", "You said: "), make("p", "text", text));
    messages.append(item);
    keep(item, { who: "me", text, inbound, sent });
    reveal(item);
    return item;
  }

  function markUnsent(item) {
    if (item.classList.contains("unsent")) return;
    item.classList.add("unsent");
    item.append($("unsent-template").content.firstElementChild.cloneNode(true));
  }

  function markSent(item) {
    item.classList.remove("unsent");
    item.querySelector(".status")?.remove();
    const entry = entryOf.get(item);
    if (entry && !entry.sent) {
      entry.sent = true;
      save();
    }
  }

  // One reply's bubble, with its buttons; `who` is "bot" or "advocate". Placed before `before`
  // (a message the child typed later), else last.
  function addReply(reply, who, before) {
    const item = make("li", `msg ${who}`);
    const name = who === "advocate" ? "Advocate: " : "Rightsline: ";
    item.append(make("span", "visually-hidden", name), withPhoneLinks(make("p", "text"), reply.text));
    if (speech) item.append(speakButton(reply, item));
    let firstChoice = null;
    if (reply.buttons.length) {
      const group = make("div", "choices");
      group.setAttribute("role", "group");
      group.setAttribute("aria-label", "Choices");
      for (const button of reply.buttons) {
        const choice = make("button", "choice", button.label);
        choice.type = "button";
        choice.addEventListener("click", () => {
          // One press a step: a double tap, or Enter held down, sends it once.
          if (group.dataset.pressed) return;
          group.dataset.pressed = "yes";
          send({ payload: button.payload }, button.label, true);
        });
        choice.addEventListener("keydown", typeIntoTheBox);
        group.append(choice);
      }
      item.append(group);
      firstChoice = group.firstChild;
    }
    if (before) messages.insertBefore(item, before);
    else messages.append(item);
    keep(item, { who, text: reply.text, buttons: reply.buttons }, before);
    return { item, firstChoice };
  }

  // A letter typed while a button has the focus (it gets it after a step taken by keyboard)
  // goes into the box, with the rest of what is typed: typing never presses a button.
  function typeIntoTheBox(event) {
    if (event.key.length !== 1 || event.key === " " || event.ctrlKey || event.metaKey) return;
    if (event.altKey) return;
    event.preventDefault();
    input.focus();
    input.setRangeText(event.key, input.selectionStart, input.selectionEnd, "end");
  }

  // Only the newest buttons stay: one step at a time.
  function dropChoices() {
    messages.querySelectorAll(".choices").forEach((group) => group.remove());
  }

  // `who` is "bot", or "relayed" for what the service kept for this chat: an advocate's words,
  // or Rightsline's own (the advocate has finished), which alone come with buttons.
  function show(replies, who, fromChoice, answering) {
    if (ended || !replies.length) return;
    const before = answering && answering.isConnected ? laterMine(answering) : null;
    const whoSaid = (reply) => (who !== "relayed" || reply.buttons.length ? "bot" : "advocate");
    if (replies.some((reply) => whoSaid(reply) === "bot" && reply.buttons.length)) dropChoices();
    let first = null;
    let firstChoice = null;
    for (const reply of replies) {
      const added = addReply(reply, whoSaid(reply), before);
      first = first || added.item;
      firstChoice = firstChoice || added.firstChoice;
    }
    announce($("announce"), replies.map((reply) => reply.text).join(" "));
    reveal(first);
    // A tapped button has gone: keep keyboard users on the next step.
    if (fromChoice && (!document.activeElement || document.activeElement === document.body)) {
      (firstChoice || input).focus({ preventScroll: true });
    }
  }

  // The first message the child typed after `item`, if any.
  function laterMine(item) {
    let next = item.nextElementSibling;
    while (next && !next.classList.contains("me")) next = next.nextElementSibling;
    return next;
  }

  // ---- what this tab keeps, for a reload ---------------------------------------------------

  // `before`: the bubble this one was placed before, so a reload shows them in the same order.
  function keep(item, entry, before) {
    entryOf.set(item, entry);
    const at = before ? shown.indexOf(entryOf.get(before)) : -1;
    if (at >= 0) shown.splice(at, 0, entry);
    else shown.push(entry);
    if (shown.length > 2 * KEEP_SHOWN) shown = shown.slice(-KEEP_SHOWN);
    save();
  }

  function save() {
    if (ended) return; // cleared: nothing may write the words back
    try {
      sessionStorage.setItem(SHOWN, JSON.stringify(shown.slice(-KEEP_SHOWN)));
    } catch {
      // Storage full or switched off: the chat goes on; a reload shows less.
    }
  }

  // Everything shown goes, from the screen and from this tab, except the child's messages
  // still waiting to be sent after the step now being sent.
  function clearShown() {
    const waiting = new Set(outbox.slice(1).map(({ item }) => item));
    for (const item of [...messages.children]) if (!waiting.has(item)) item.remove();
    shown = shown.filter((entry) => [...waiting].some((item) => entryOf.get(item) === entry));
    save();
  }

  // What this tab showed before a reload, shown again without reading it all out. Returns the
  // child's messages the service may never have had, to be sent again.
  function restore() {
    let kept;
    try {
      kept = JSON.parse(sessionStorage.getItem(SHOWN) || "[]");
    } catch {
      kept = [];
    }
    if (!Array.isArray(kept)) return [];
    const unsent = [];
    const isButton = (b) => b && typeof b.label === "string" && typeof b.payload === "string";
    for (const entry of kept) {
      if (!entry || typeof entry.text !== "string") continue;
      if (entry.who === "me") {
        const item = addMine(entry.text, entry.inbound, Boolean(entry.sent));
        if (!entry.sent && entry.inbound) {
          markUnsent(item);
          unsent.push({ step: () => post(entry.inbound, false, item), item });
        }
      } else if (entry.who === "bot" || entry.who === "advocate") {
        const buttons = Array.isArray(entry.buttons) ? entry.buttons.filter(isButton) : [];
        if (entry.who === "bot" && buttons.length) dropChoices();
        addReply({ text: entry.text, buttons }, entry.who);
      }
    }
    messages.lastElementChild?.scrollIntoView({ block: "end" });
    return unsent;
  }

  function reveal(item) {
    item.scrollIntoView({ block: "start", behavior: calm.matches ? "auto" : "smooth" });
  }

  // Emptied, then filled a moment later, so the same words are read again if they come again;
  // a newer announcement replaces one still waiting, so older words never land last.
  const pendingAnnouncement = new Map();
  function announce(region, text) {
    clearTimeout(pendingAnnouncement.get(region));
    region.textContent = "";
    pendingAnnouncement.set(
      region,
      setTimeout(() => {
        region.textContent = text;
      }, 50),
    );
  }

  // Reads the reply, and its buttons only while they are still there to tap.
  function speakButton(reply, item) {
    const button = $("speak-template").content.firstElementChild.cloneNode(true);
    const label = button.querySelector("span");
    button.addEventListener("click", () => {
      const wasSpeaking = label.textContent !== "Read aloud";
      stopSpeaking();
      if (wasSpeaking) return;
      const group = item.querySelector(".choices");
      const live = group && !group.dataset.pressed;
      const choices = live ? reply.buttons.map((choice) => choice.label) : [];
      const words = choices.length ? `${reply.text} You can tap: ${choices.join(". ")}.` : reply.text;
      const utterance = new SpeechSynthesisUtterance(words);
      utterance.lang = "en-GB";
      utterance.rate = 0.9;
      utterance.onend = utterance.onerror = () => {
        label.textContent = "Read aloud";
      };
      label.textContent = "Stop reading";
      window.speechSynthesis.speak(utterance);
    });
    return button;
  }

  function stopSpeaking() {
    if (!speech) return;
    window.speechSynthesis.cancel();
    document.querySelectorAll(".speak span").forEach((label) => {
      label.textContent = "Read aloud";
    });
  }

  function showProblem(kind) {
    $("problem-offline").hidden = kind !== "offline";
    $("problem-server").hidden = kind === "offline";
    $("problem-waiting").hidden = !unsentMessages();
    const wasHidden = problem.hidden;
    problem.hidden = false;
    const words = [...problem.querySelectorAll("p:not([hidden])")].map((p) => p.textContent);
    if (wasHidden || words.join(" ") !== alerted) {
      alerted = words.join(" ");
      announce($("alert"), alerted);
    }
  }

  function hideProblem() {
    problem.hidden = true;
    alerted = "";
  }

  // ---- clearing the screen --------------------------------------------------------------

  function clearEverything() {
    ended = true;
    clearTimeout(pollTimer);
    clearTimeout(idleTimer);
    clearTimeout(retryTimer);
    stopSpeaking();
    const id = sessionId;
    sessionId = null;
    shown = [];
    document.body.replaceChildren();
    document.title = "New tab";
    try {
      sessionStorage.clear();
    } catch {
      // Nothing was kept.
    }
    return id ? deleteChat(id) : Promise.resolve();
  }

  // Deletes the chat on the service. Where the service cannot be reached, the page's worker is
  // given the chat's id (never its words) and deletes the chat once the service answers again.
  // Never waited on for long: the screen is already blank, and leaving matters more.
  function deleteChat(id) {
    const handOver = () => {
      const worker = navigator.serviceWorker && navigator.serviceWorker.controller;
      if (worker) worker.postMessage({ forget: id });
    };
    // keepalive: the delete still goes through while the page is being left.
    const asked = fetch(`${API}/${encodeURIComponent(id)}`, { method: "DELETE", keepalive: true })
      .then((answer) => {
        if (!answer.ok && answer.status !== 404) handOver();
      })
      .catch(handOver);
    return Promise.race([asked, new Promise((done) => setTimeout(done, LEAVE_WAIT_MS))]);
  }

  function quickExit() {
    // replace: this page goes from the history, so Back does not return
    clearEverything().then(() => location.replace("/exit"));
  }

  // In kiosk mode a chat that has been used clears itself after a few idle minutes.
  function stillHere() {
    if (!kiosk || ended) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      // Words not yet sent stay until they are: clearing them would lose them for good.
      if (unsentMessages()) {
        stillHere();
        return;
      }
      clearEverything().then(() => location.replace(location.pathname));
    }, idleMs);
  }

  // ---- wiring ---------------------------------------------------------------------------

  $("quick-exit").addEventListener("click", quickExit);
  $("composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) {
      input.focus();
      return;
    }
    input.value = "";
    send({ text }, text, false);
  });
  $("retry").addEventListener("click", () => {
    if (outbox.length) flush();
    else {
      hideProblem();
      poll();
    }
  });
  // The device is back on the network: try at once rather than at the next retry.
  window.addEventListener("online", () => {
    if (outbox.length) flush();
    else hideProblem();
  });
  for (const kind of ["pointerdown", "keydown", "input"]) {
    document.addEventListener(kind, stillHere, { passive: true });
  }

  // After one visit the page's shell is kept, so it opens even when the service is down.
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/service-worker.js").catch(() => {
      // Not kept this time (private browsing, say): the chat works the same.
    });
  }

  const unsent = restore();
  queue(begin, null);
  for (const { step, item } of unsent) queue(step, item);
  schedulePoll();
})();
