/* The web chat: talks to the chat API, shows replies, reads them aloud, and clears itself. */
"use strict";

(() => {
  const API = "/api/chat/sessions";
  const STORE = "rightsline-session"; // the session id only; never the words
  const page = document.body.dataset;
  const kiosk = page.kiosk === "on";
  const idleMs = Number(page.idleMinutes) * 60000;
  const pollMs = Number(page.pollSeconds) * 1000;
  const speech = "speechSynthesis" in window && typeof SpeechSynthesisUtterance === "function";
  const calm = window.matchMedia("(prefers-reduced-motion: reduce)");

  const $ = (id) => document.getElementById(id);
  const messages = $("messages");
  const typing = $("typing");
  const problem = $("problem");
  const input = $("text");

  let sessionId = null;
  let busy = false;
  let ended = false;
  let failed = null; // the step to run again when "Try again" is pressed
  let pollTimer = 0;
  let idleTimer = 0;

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
    if (saved) {
      // The page was reloaded: carry on with the same chat, from the menu.
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

  async function post(inbound, fromChoice) {
    if (!sessionId) await newSession(false);
    const url = () => `${API}/${encodeURIComponent(sessionId)}/messages`;
    let result = await call("POST", url(), inbound);
    if (result.gone) {
      // The chat was deleted ("Forget me"): start a fresh one and say it there.
      await newSession(false);
      result = await call("POST", url(), inbound);
    }
    if (result.gone || !Array.isArray(result.replies)) throw new Problem("server");
    show(result.replies, "bot", fromChoice);
  }

  // Runs one step with the typing dots; on failure, shows what went wrong and keeps the step.
  async function run(step) {
    if (busy || ended) return;
    busy = true;
    typing.hidden = false;
    hideProblem();
    try {
      await step();
      failed = null;
    } catch (error) {
      failed = step;
      showProblem(error instanceof Problem ? error.message : "server");
    } finally {
      busy = false;
      typing.hidden = true;
    }
  }

  function send(inbound, said, fromChoice) {
    if (busy || ended) return;
    addMine(said);
    run(() => post(inbound, fromChoice));
  }

  // ---- advocate replies -----------------------------------------------------------------

  function schedulePoll() {
    clearTimeout(pollTimer);
    if (!ended) pollTimer = setTimeout(poll, pollMs);
  }

  async function poll() {
    if (sessionId && !busy && !ended) {
      try {
        const result = await call("GET", `${API}/${encodeURIComponent(sessionId)}/messages`);
        if (result.gone) remember(null);
        else if (Array.isArray(result.replies) && result.replies.length && !ended) {
          show(result.replies, "advocate", false);
        }
        if (!failed) hideProblem();
      } catch (error) {
        if (!failed) showProblem(error.message);
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

  function addMine(text) {
    const item = make("li", "msg me");
    item.append(make("span", "visually-hidden", "You said: "), make("p", "text", text));
    messages.append(item);
    reveal(item);
  }

  function show(replies, who, fromChoice) {
    if (!replies.length) return;
    if (who === "bot" && replies.some((reply) => reply.buttons.length)) {
      // Only the newest buttons stay: one step at a time.
      messages.querySelectorAll(".choices").forEach((group) => group.remove());
    }
    let first = null;
    let firstChoice = null;
    for (const reply of replies) {
      const item = make("li", `msg ${who}`);
      const name = who === "advocate" ? "Advocate: " : "Rightsline: ";
      item.append(make("span", "visually-hidden", name), make("p", "text", reply.text));
      if (speech) item.append(speakButton(reply));
      if (reply.buttons.length) {
        const group = make("div", "choices");
        group.setAttribute("role", "group");
        group.setAttribute("aria-label", "Choices");
        for (const button of reply.buttons) {
          const choice = make("button", "choice", button.label);
          choice.type = "button";
          choice.addEventListener("click", () =>
            send({ payload: button.payload }, button.label, true),
          );
          group.append(choice);
        }
        item.append(group);
        firstChoice = firstChoice || group.firstChild;
      }
      messages.append(item);
      first = first || item;
    }
    announce($("announce"), replies.map((reply) => reply.text).join(" "));
    reveal(first);
    // A tapped button has gone: keep keyboard users on the next step.
    if (fromChoice && (!document.activeElement || document.activeElement === document.body)) {
      (firstChoice || input).focus({ preventScroll: true });
    }
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

  function speakButton(reply) {
    const button = $("speak-template").content.firstElementChild.cloneNode(true);
    const label = button.querySelector("span");
    button.addEventListener("click", () => {
      const wasSpeaking = label.textContent !== "Read aloud";
      stopSpeaking();
      if (wasSpeaking) return;
      const choices = reply.buttons.map((choice) => choice.label);
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
    const wasHidden = problem.hidden;
    problem.hidden = false;
    if (wasHidden) {
      const words = [...problem.querySelectorAll("p:not([hidden])")].map((p) => p.textContent);
      announce($("alert"), words.join(" "));
    }
  }

  function hideProblem() {
    problem.hidden = true;
  }

  // ---- clearing the screen --------------------------------------------------------------

  function clearEverything() {
    ended = true;
    clearTimeout(pollTimer);
    clearTimeout(idleTimer);
    stopSpeaking();
    const id = sessionId;
    sessionId = null;
    document.body.replaceChildren();
    document.title = "New tab";
    try {
      sessionStorage.clear();
    } catch {
      // Nothing was kept.
    }
    if (id) {
      // keepalive: the delete still goes through while the page is being left.
      fetch(`${API}/${encodeURIComponent(id)}`, { method: "DELETE", keepalive: true }).catch(
        () => {},
      );
    }
  }

  function quickExit() {
    clearEverything();
    location.replace("/exit"); // replaces this page in history, so Back does not return
  }

  // In kiosk mode a chat that has been used clears itself after a few idle minutes.
  function stillHere() {
    if (!kiosk || ended) return;
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      clearEverything();
      location.replace(location.pathname);
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
    if (failed) run(failed);
    else {
      hideProblem();
      poll();
    }
  });
  window.addEventListener("online", () => {
    if (!failed) hideProblem();
  });
  for (const kind of ["pointerdown", "keydown", "input"]) {
    document.addEventListener(kind, stillHere, { passive: true });
  }

  run(begin).then(schedulePoll);
})();
