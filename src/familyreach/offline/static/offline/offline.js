// The offline app (docs/offline.md): registers, walk-ins and visit outcomes recorded without
// signal, kept on the device encrypted, and sent when there is signal.
//
// Storage (IndexedDB "familyreach-offline"):
//   keys    the AES-GCM key, imported non-extractable from /staff/api/offline/key
//   vault   the downloaded copy ("bundle") and what needs attention, each sealed with the key
//   outbox  changes waiting to send: the idempotency key and a target of ids in clear (to
//           count them and to replace an older mark of the same family), the change sealed
//   meta    the user it belongs to, the key's id, when it last reached the server, the server's
//           signed note of when the copy was made ("copy token"), the device's random id: no
//           family data
// The copy is wiped on sign-out, when it has not reached the server for FAMILYREACH_OFFLINE_DAYS
// days (by this device's clock, and by the server's: the key endpoint refuses an old copy),
// when the key endpoint refuses (account disabled), and when another user signs in. When the
// session the copy was taken in has ended (timed out), the copy and the key are deleted but
// changes waiting to send stay, sealed: the key is worked out by the server from the account
// and the device's id, so only the same account, signed in again, can open and send them.
// Changes that cannot be sent (account disabled, copy too old) are listed on the page, in
// words, as the copy is deleted: the worker enters them again online. Never lost silently.

const DB_NAME = "familyreach-offline";
const SHELL_CACHE = "familyreach-offline-shell";
const DAY_MS = 24 * 60 * 60 * 1000;
const RETRY_MS = 5000;

const root = document.getElementById("offline-app");
const config = root.dataset;
const days = Number(config.days || "7");

let db = null;
let cryptoKey = null;
let meta = null;
let bundle = null;
let attention = [];
let csrfToken = "";
let busy = false;
let freshCopyWanted = false; // the last session's copy was deleted: take one for this session
// The office did not answer the last time we asked, though the browser may still say it is
// online (a page reopened from the device without signal, Wi-Fi with no internet behind it).
let officeUnreachable = false;

// --- IndexedDB ------------------------------------------------------------------------------

function openDatabase() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      const database = request.result;
      database.createObjectStore("keys");
      database.createObjectStore("vault");
      database.createObjectStore("outbox", { keyPath: "key" });
      database.createObjectStore("meta");
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function run(store, mode, action) {
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(store, mode);
    const request = action(transaction.objectStore(store));
    transaction.oncomplete = () => resolve(request ? request.result : undefined);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

const get = (store, key) => run(store, "readonly", (s) => s.get(key));
const put = (store, value, key) =>
  run(store, "readwrite", (s) => (key === undefined ? s.put(value) : s.put(value, key)));
const remove = (store, key) => run(store, "readwrite", (s) => s.delete(key));
const getAll = (store) => run(store, "readonly", (s) => s.getAll());

// --- Encryption at rest ------------------------------------------------------------------------

function importKey(base64) {
  const raw = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
}

async function seal(value, key = cryptoKey) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(value));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, plain);
  return { iv, data };
}

async function unseal(box, key = cryptoKey) {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv }, key, box.data);
  return JSON.parse(new TextDecoder().decode(plain));
}

async function saveBundle() {
  await put("vault", await seal(bundle), "bundle");
}

async function saveAttention() {
  await put("vault", await seal(attention), "attention");
}

async function saveMeta() {
  await put("meta", meta, "meta");
}

// The device's random id: the server works the key out from it and the account.
async function deviceId() {
  let id = await get("meta", "device");
  if (!id) {
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
    await put("meta", id, "device");
  }
  return id;
}

function copyHeaders() {
  return meta && meta.copyToken ? { "X-Offline-Copy": meta.copyToken } : {};
}

// --- Wiping ---------------------------------------------------------------------------------

// Changes that will never be sent, in words, shown on the page (not kept) as the copy goes.
async function listUnsent() {
  if (!db) return [];
  const lines = [];
  for (const item of await getAll("outbox")) {
    if (!cryptoKey) {
      lines.push("A change locked when you were signed out (it cannot be read without signing in)");
      continue;
    }
    try {
      lines.push(describe(await unseal(item)));
    } catch {
      lines.push("A change that could not be read");
    }
  }
  return lines;
}

function describe(change) {
  const session = findSession(change.occurrence_id);
  const where = session ? `${session.title}, ${formatDay(session.date)}` : "a session";
  if (change.kind === "mark") {
    const family = session && session.families.find((row) => String(row.id) === String(change.family_id));
    return `${change.attended ? "Here" : "Not here"}: ${family ? family.name : "a family"} at ${where}`;
  }
  if (change.kind === "walk_in") {
    return `Walk-in at ${where}: ${change.carer_first_name} ${change.carer_last_name || ""}, ${change.postcode}, with ${change.child_first_name} (born ${change.child_date_of_birth})`;
  }
  const visit = findVisit(change.visit_id);
  return `Visit to ${visit ? visit.name : "a family"}: ${statusText(change.status)}. ${change.outcome_notes || ""}`;
}

function showUnsent(lines) {
  const box = document.getElementById("unsent");
  const list = document.getElementById("unsent-list");
  list.replaceChildren(...lines.map((line) => element("li", { text: line })));
  box.hidden = lines.length === 0;
}

// The copy goes and cannot come back (account disabled, copy too old): what was never sent
// is listed first, so nothing is lost without the worker knowing.
async function wipeTellingWhy(message) {
  const unsent = await listUnsent();
  await wipe();
  showUnsent(unsent);
  notify(
    unsent.length
      ? `${message} ${unsent.length} ${unsent.length === 1 ? "change was" : "changes were"} not sent: enter ${unsent.length === 1 ? "it" : "them"} again on the online pages (listed below; this list goes when you leave the page).`
      : message,
    true,
  );
}

// The session ended (timed out): the copy and the key go; changes waiting stay sealed, and
// can be opened only with the key the server gives the same account when it signs in again.
async function wipeKeepingSealedChanges() {
  cryptoKey = null;
  bundle = null;
  attention = [];
  await run("keys", "readwrite", (s) => s.clear());
  await run("vault", "readwrite", (s) => s.clear());
  if (meta) {
    delete meta.copyToken;
    delete meta.keyId;
    await saveMeta();
  }
}

async function wipe() {
  if (db) db.close();
  db = null;
  cryptoKey = null;
  meta = null;
  bundle = null;
  attention = [];
  await new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(DB_NAME);
    request.onsuccess = request.onerror = request.onblocked = () => resolve();
  });
  if (window.caches) await caches.delete(SHELL_CACHE);
  db = await openDatabase();
}

// --- Talking to the server ------------------------------------------------------------------

// "ok", "offline" (no signal), "signed-out" (sign in again: the copy is kept), "refused"
// (the account may not keep family data: the copy has been wiped).
async function askForKey(retried = false) {
  let response;
  try {
    const url = `${config.keyUrl}?device=${encodeURIComponent(await deviceId())}`;
    response = await fetch(url, {
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store",
      headers: copyHeaders(),
    });
  } catch {
    officeUnreachable = true;
    return "offline";
  }
  officeUnreachable = !response.ok && response.status !== 403 && response.type !== "opaqueredirect";
  if (response.status === 403) {
    if ((await refused(response)) === "session ended" && !retried) {
      // Signed in again since? Then a fresh copy comes with the new session.
      const status = await askForKey(true);
      freshCopyWanted = status === "ok";
      return status;
    }
    return "refused";
  }
  if (response.type === "opaqueredirect" || response.status === 401) return "signed-out";
  if (!response.ok) return "offline";
  const answer = await response.json();
  csrfToken = answer.csrf_token;
  if (meta && meta.userId !== answer.user_id) {
    await wipe(); // another person signed in on this device: nothing of the last one's stays
  }
  const outbox = await getAll("outbox");
  if (!cryptoKey || (meta.keyId !== answer.key_id && outbox.length === 0)) {
    await useKey(answer);
  }
  return "ok";
}

async function useKey(answer) {
  // A new key (a new session): whatever is kept is sealed again with it.
  const newKey = await importKey(answer.key);
  if (cryptoKey && bundle) await put("vault", await seal(bundle, newKey), "bundle");
  if (cryptoKey && attention.length) await put("vault", await seal(attention, newKey), "attention");
  cryptoKey = newKey;
  await put("keys", newKey, "current");
  meta = { ...(meta || {}), userId: answer.user_id, keyId: answer.key_id };
  meta.lastContactAt = meta.lastContactAt || Date.now();
  await saveMeta();
}

// The server said this device must not keep its copy (403 with `wipe`). Returns the reason.
async function refused(response) {
  let answer = {};
  try {
    answer = await response.json();
  } catch {
    // An HTML 403 (a proxy, or the two-factor check): the copy goes all the same.
  }
  if (answer.error === "session ended") {
    const waiting = (await getAll("outbox")).length;
    await wipeKeepingSealedChanges();
    notify(
      waiting
        ? `${answer.message} Your ${waiting} ${waiting === 1 ? "change is" : "changes are"} kept, locked, until you sign in again as yourself.`
        : answer.message,
      true,
    );
    return answer.error;
  }
  if (answer.wipe === false) {
    notify(answer.message || "This account cannot send changes from this device.", true);
    return answer.error;
  }
  await wipeTellingWhy(
    `${answer.message || "This account cannot keep family information on this device."} The offline copy has been deleted.`,
  );
  return answer.error;
}

function explain(status) {
  if (status === "offline") notify("No signal. Your changes are kept on this device until you have signal.");
  if (status === "signed-out") notify("Sign in again to send your changes. They are kept on this device until you do.", true);
}

async function sendChanges() {
  const items = await getAll("outbox");
  if (!items.length) return true;
  const changes = await Promise.all(items.map((item) => unseal(item)));
  let response;
  try {
    response = await fetch(config.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken, ...copyHeaders() },
      body: JSON.stringify({ changes }),
    });
  } catch {
    explain("offline");
    return false;
  }
  if (response.status === 403) {
    await refused(response);
    return false;
  }
  if (!response.ok) {
    explain(response.status === 401 || response.type === "opaqueredirect" ? "signed-out" : "offline");
    return false;
  }
  const { results } = await response.json();
  const sent = new Map(changes.map((change) => [change.key, change]));
  for (const result of results) {
    const change = sent.get(result.key);
    if (!change) continue;
    if (result.outcome === "conflict") {
      attention.push({ id: result.key, type: "conflict", change, result });
    } else if (result.outcome === "refused") {
      attention.push({ id: result.key, type: "refused", change, result });
    } else if (result.needs_duplicate_review) {
      attention.push({ id: result.key, type: "duplicate", change, result });
    }
    await remove("outbox", result.key);
  }
  await saveAttention();
  return true;
}

async function download() {
  let response;
  try {
    response = await fetch(config.downloadUrl, {
      credentials: "same-origin",
      redirect: "manual",
      cache: "no-store",
      headers: copyHeaders(),
    });
  } catch {
    explain("offline");
    return false;
  }
  if (response.status === 403) {
    await refused(response);
    return false;
  }
  if (!response.ok) {
    explain(response.status === 401 || response.type === "opaqueredirect" ? "signed-out" : "offline");
    return false;
  }
  bundle = await response.json();
  await saveBundle();
  meta.lastContactAt = Date.now();
  meta.downloadedAt = Date.now();
  meta.copyToken = bundle.copy_token;
  await saveMeta();
  await keepShell();
  return true;
}

async function keepShell() {
  // The page and what it loads, so it opens without signal. None of it holds family data.
  if (!window.caches) return;
  const assets = [
    ...document.querySelectorAll("link[rel=stylesheet][href], link[rel=manifest][href], script[src]"),
  ].map((element) => element.getAttribute("href") || element.getAttribute("src"));
  const wanted = new Set([config.scope, "/static/govuk/govuk-frontend.min.js", ...assets]);
  try {
    const cache = await caches.open(SHELL_CACHE);
    await cache.addAll([...wanted]);
  } catch {
    notify("The page could not be kept for use without signal. Try again before you go out.", true);
  }
}

// Send what is waiting, then take a fresh copy (with the server's versions). One at a time.
async function syncNow({ quiet = false } = {}) {
  if (busy) return;
  busy = true;
  try {
    const status = await askForKey();
    if (status !== "ok") {
      if (!quiet) explain(status);
      return;
    }
    const sent = await sendChanges();
    if (sent && (await download())) {
      const waiting = attention.length;
      notify(
        waiting
          ? `Sent. ${waiting} ${waiting === 1 ? "thing needs" : "things need"} your attention.`
          : `Ready for offline: your sessions and visits until ${formatDay(bundle.until)} are on this device.`,
      );
    }
  } finally {
    busy = false;
    await render();
  }
}

// --- Recording changes offline --------------------------------------------------------------

async function record(change, target) {
  const full = { ...change, key: crypto.randomUUID(), made_at: new Date().toISOString() };
  if (target) {
    // Only the latest mark of a family on a register needs to travel.
    for (const item of await getAll("outbox")) {
      if (item.target === target) await remove("outbox", item.key);
    }
  }
  await put("outbox", { key: full.key, target: target || full.key, ...(await seal(full)) });
  await saveBundle();
  await renderCount();
  if (navigator.onLine) syncNow({ quiet: true });
}

function findSession(id) {
  return bundle && bundle.sessions.find((session) => String(session.id) === String(id));
}

function findVisit(id) {
  return bundle && bundle.visits.find((visit) => String(visit.id) === String(id));
}

async function mark(session, family, attended) {
  family.attended = attended;
  renderTotals(session);
  await record(
    {
      kind: "mark",
      occurrence_id: session.id,
      family_id: family.id,
      attended,
      adults: family.adults || 1,
      children: family.children_count || 1,
      base_version: session.version,
    },
    `mark:${session.id}:${family.id}`,
  );
}

// --- Rendering ------------------------------------------------------------------------------

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function formatDay(isoDate) {
  return new Date(`${isoDate}T12:00:00`).toLocaleDateString("en-GB", {
    weekday: "long",
    day: "numeric",
    month: "long",
  });
}

function notify(text, important = false) {
  const banner = document.getElementById("offline-notice");
  banner.classList.toggle("govuk-notification-banner--success", !important);
  document.getElementById("offline-notice-title").textContent = important ? "Important" : "Success";
  document.getElementById("offline-notice-text").textContent = text;
  banner.hidden = false;
}

function childrenText(family) {
  return family.children
    .map((child) => (child.age ? `${child.first_name} (${child.age})` : child.first_name))
    .join(", ");
}

async function renderCount() {
  const count = db ? (await getAll("outbox")).length : 0;
  document.getElementById("pending-count").textContent = count
    ? `${count} ${count === 1 ? "change" : "changes"} waiting to send`
    : "No changes waiting to send";
  document.getElementById("sync-button").hidden = count === 0 || !navigator.onLine;
}

function renderConnection() {
  document.getElementById("offline-connection").textContent = navigator.onLine && !officeUnreachable
    ? "You are online."
    : "No signal: what you record is kept on this device and sent when you have signal.";
  renderCount();
}

function renderHome() {
  const status = document.getElementById("offline-status");
  const sessions = document.getElementById("session-list");
  const visits = document.getElementById("visit-list");
  sessions.replaceChildren();
  visits.replaceChildren();
  if (!bundle) {
    status.textContent = `Nothing is kept on this device yet. Before you go out, get ready for offline: your sessions and visits for the next ${days} days are kept on this device, encrypted.`;
    return;
  }
  const contact = new Date(meta.lastContactAt).toLocaleString("en-GB", {
    day: "numeric",
    month: "long",
    hour: "2-digit",
    minute: "2-digit",
  });
  status.textContent = `Ready for offline until ${formatDay(bundle.until)}. Last in touch with the office: ${contact}. If this device is not in touch for ${days} days, what it keeps is deleted.`;
  for (const session of bundle.sessions) {
    sessions.append(
      element(
        "li",
        {},
        element("a", { class: "govuk-link", href: `#register-${session.id}`, text: `${session.read_only ? "Who is coming to" : "Register for"} ${session.title}` }),
        `, ${session.when} at ${session.venue} (${session.families.length} ${session.read_only ? "booked" : "expected or here"})`,
      ),
    );
  }
  if (!bundle.sessions.length) sessions.append(element("li", { text: "No sessions in the next 7 days." }));
  for (const visit of bundle.visits) {
    const done = visit.status !== "scheduled";
    visits.append(
      element(
        "li",
        {},
        element("a", { class: "govuk-link", href: `#visit-${visit.id}`, text: `${done ? "Change the record of" : "Record"} the visit to ${visit.name}` }),
        `, ${visit.when}${done ? " (recorded)" : ""}`,
      ),
    );
  }
  if (!bundle.visits.length) visits.append(element("li", { text: "No visits in the next 7 days." }));
}

function renderAttention() {
  const box = document.getElementById("attention");
  const list = document.getElementById("attention-list");
  list.replaceChildren();
  box.hidden = attention.length === 0;
  for (const item of attention) {
    const card = element("div", { class: "govuk-inset-text app-offline-choice", "data-attention": item.type });
    if (item.type === "conflict" && item.change.kind === "visit") {
      const theirs = item.result.theirs || {};
      card.append(
        element("p", { class: "govuk-body govuk-!-font-weight-bold", text: item.result.message }),
        element("p", { class: "govuk-body", text: `Theirs: ${theirs.status_text || ""}. ${theirs.outcome_notes || ""}` }),
        element("p", { class: "govuk-body", text: `Yours: ${statusText(item.change.status)}. ${item.change.outcome_notes || ""}` }),
      );
      const group = element("div", { class: "govuk-button-group" });
      const keepTheirs = element("button", { type: "button", class: "govuk-button govuk-button--secondary", text: "Keep theirs" });
      const useMine = element("button", { type: "button", class: "govuk-button", text: "Use mine" });
      keepTheirs.addEventListener("click", () => resolve(item, false));
      useMine.addEventListener("click", () => resolve(item, true));
      group.append(useMine, keepTheirs);
      card.append(group);
    } else if (item.type === "duplicate") {
      card.append(
        element("p", { class: "govuk-body", text: `${item.change.carer_first_name} may already be registered.` }),
        element("a", { class: "govuk-link", href: config.walkInsUrl, text: "Check walk-ins for duplicates" }),
      );
      const dismiss = element("button", { type: "button", class: "govuk-button govuk-button--secondary govuk-!-margin-top-2", text: "Hide this" });
      dismiss.addEventListener("click", () => resolve(item, false));
      card.append(element("p", {}), dismiss);
    } else {
      card.append(
        element("p", { class: "govuk-body", text: `Not sent: ${item.result.message}` }),
        element("p", { class: "govuk-body", text: describe(item.change) }),
      );
      const dismiss = element("button", { type: "button", class: "govuk-button govuk-button--secondary", text: "Hide this" });
      dismiss.addEventListener("click", () => resolve(item, false));
      card.append(dismiss);
    }
    list.append(card);
  }
}

async function resolve(item, useMine) {
  attention = attention.filter((other) => other.id !== item.id);
  await saveAttention();
  if (useMine) {
    // Sent again, against the version the worker has now seen.
    const { key, made_at, ...change } = item.change;
    await record({ ...change, base_version: item.result.version }, `visit:${change.visit_id}`);
  }
  renderAttention();
}

function statusText(status) {
  return { completed: "Completed", no_access: "No answer or no access", cancelled: "Cancelled" }[status] || status;
}

function renderTotals(session) {
  const here = session.families.filter((family) => family.attended);
  const adults = here.reduce((sum, family) => sum + (family.adults || 1), 0);
  const children = here.reduce((sum, family) => sum + (family.children_count || 1), 0);
  document.getElementById("offline-register-totals").textContent =
    `${here.length} ${here.length === 1 ? "family" : "families"} here · ${adults} adults · ${children} children`;
}

function renderWhoIsComing(session) {
  // A volunteer's read-only copy: first names, as their online page shows them.
  document.getElementById("register-title").textContent = `Who is coming: ${session.title}, ${formatDay(session.date)}`;
  document.getElementById("offline-register-totals").textContent =
    `${session.families.length} ${session.families.length === 1 ? "family" : "families"} booked`;
  const names = session.families.map((family) =>
    element("li", { text: family.children.length ? `${family.name} with ${family.children.map((child) => child.first_name).join(", ")}` : family.name }),
  );
  document.getElementById("register-names").replaceChildren(...(names.length ? names : [element("li", { text: "Nobody has booked yet" })]));
}

function renderRegister(session) {
  document.getElementById("register-caption").textContent = `${session.venue}, ${session.when}`;
  const readOnly = Boolean(session.read_only);
  document.getElementById("register-readonly").hidden = !readOnly;
  document.getElementById("register-marks").hidden = readOnly;
  document.getElementById("walk-in-link").hidden = readOnly || session.register_closed;
  if (readOnly) {
    document.getElementById("register-closed").hidden = true;
    renderWhoIsComing(session);
    return;
  }
  document.getElementById("register-title").textContent = `Register: ${session.title}, ${formatDay(session.date)}`;
  document.getElementById("register-closed").hidden = !session.register_closed;
  document.getElementById("walk-in-link").setAttribute("href", `#walk-in-${session.id}`);
  document.getElementById("walk-in-link").hidden = session.register_closed;
  const list = document.getElementById("register-families");
  list.replaceChildren();
  session.families.forEach((family, index) => {
    const id = `mark-${session.id}-${index}`;
    const input = element("input", { class: "govuk-checkboxes__input", id, type: "checkbox", "aria-describedby": `${id}-hint` });
    input.checked = Boolean(family.attended);
    input.disabled = Boolean(session.register_closed || family.local);
    input.addEventListener("change", () => mark(session, family, input.checked));
    const label = element("label", { class: "govuk-label govuk-checkboxes__label", for: id, text: `${family.name} with ${childrenText(family)}` });
    const notes = [family.local ? "Walk-in, not sent yet" : family.booked ? "Booked" : "Walk-in", ...family.flags];
    list.append(
      element("div", { class: "govuk-checkboxes__item" }, input, label,
        element("div", { class: "govuk-hint govuk-checkboxes__hint", id: `${id}-hint`, text: notes.join(" · ") })),
    );
  });
  if (!session.families.length) list.append(element("p", { class: "govuk-body", text: "Nobody has booked yet." }));
  renderTotals(session);
}

function renderVisit(visit) {
  document.getElementById("visit-caption").textContent = visit.when;
  document.getElementById("visit-title").textContent = `${visit.kind}: ${visit.name}`;
  const summary = document.getElementById("visit-summary");
  summary.replaceChildren();
  const rows = [
    ["Where", visit.where || "Not given"],
    ["Children", childrenText(visit) || "None recorded"],
    ["Purpose", visit.purpose || "Not given"],
    ["Good to know", visit.flags.join(", ") || "Nothing"],
  ];
  for (const [key, value] of rows) {
    summary.append(
      element("div", { class: "govuk-summary-list__row" },
        element("dt", { class: "govuk-summary-list__key", text: key }),
        element("dd", { class: "govuk-summary-list__value", text: value })),
    );
  }
  const form = document.getElementById("visit-form");
  for (const radio of form.querySelectorAll("input[name=status]")) radio.checked = radio.value === visit.status;
  form.elements.outcome_notes.value = visit.outcome_notes || "";
  form.dataset.visit = visit.id;
  document.getElementById("visit-errors").hidden = true;
}

function renderWalkIn(session) {
  document.getElementById("walk-in-caption").textContent = `${session.title}, ${formatDay(session.date)}`;
  document.getElementById("walk-in-back").setAttribute("href", `#register-${session.id}`);
  const form = document.getElementById("walk-in-form");
  form.reset();
  form.dataset.session = session.id;
  showErrors(form, {});
}

function showView() {
  const [, view, id] = location.hash.match(/^#(register|walk-in|visit)-(\d+)$/) || [];
  const views = { home: "view-home", register: "view-register", "walk-in": "view-walk-in", visit: "view-visit" };
  let shown = "home";
  if (view === "register" && findSession(id)) {
    renderRegister(findSession(id));
    shown = "register";
  } else if (view === "walk-in" && findSession(id)) {
    renderWalkIn(findSession(id));
    shown = "walk-in";
  } else if (view === "visit" && findVisit(id)) {
    renderVisit(findVisit(id));
    shown = "visit";
  }
  for (const [name, sectionId] of Object.entries(views)) {
    document.getElementById(sectionId).hidden = name !== shown;
  }
  document.title = `${document.querySelector(`#${views[shown]} h1`).textContent} – ${document.title.split(" – ").slice(1).join(" – ")}`;
  if (view) document.querySelector(`#${views[shown]} h1`).focus();
}

async function render() {
  renderConnection();
  renderHome();
  renderAttention();
  showView();
  await renderCount();
}

// --- Forms ----------------------------------------------------------------------------------

function showErrors(form, errors) {
  const summary = document.getElementById("walk-in-errors");
  const list = document.getElementById("walk-in-error-list");
  list.replaceChildren();
  for (const group of form.querySelectorAll("[data-field]")) {
    const message = errors[group.dataset.field];
    group.classList.toggle("govuk-form-group--error", Boolean(message));
    const holder = group.querySelector(".govuk-error-message");
    if (holder) {
      holder.hidden = !message;
      holder.textContent = message ? `Error: ${message}` : "";
    }
    if (message) {
      list.append(element("li", {}, element("a", { href: `#${group.dataset.field}`, text: message })));
    }
  }
  summary.hidden = Object.keys(errors).length === 0;
  if (!summary.hidden) summary.focus();
}

function walkInErrors(values) {
  const errors = {};
  if (!values.carer_first_name) errors.carer_first_name = "Enter the parent or carer's first name";
  if (!/^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/i.test(values.postcode)) errors.postcode = "Enter a real postcode, like NR30 1NE";
  if (!values.child_first_name) errors.child_first_name = "Enter the child's first name";
  const born = new Date(`${values.child_date_of_birth}T12:00:00`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.child_date_of_birth) || Number.isNaN(born.getTime()) || born.toISOString().slice(0, 10) !== values.child_date_of_birth || born > new Date()) {
    errors.child_dob_day = "Enter the child's date of birth, a real date in the past";
  }
  if (!(values.adults >= 0 && values.adults < 20)) errors.adults = "Enter how many adults are here, a number";
  if (!values.consent) errors.consent = "Tell the family how we use and keep their information, then tick the box";
  return errors;
}

async function onWalkIn(event) {
  event.preventDefault();
  const form = event.target;
  const session = findSession(form.dataset.session);
  const field = (name) => form.elements[name].value.trim();
  const pad = (value) => value.padStart(2, "0");
  const values = {
    carer_first_name: field("carer_first_name"),
    carer_last_name: field("carer_last_name"),
    postcode: field("postcode").toUpperCase(),
    child_first_name: field("child_first_name"),
    child_date_of_birth: `${field("child_dob_year")}-${pad(field("child_dob_month"))}-${pad(field("child_dob_day"))}`,
    adults: Number(field("adults") || "1"),
    children: Number(field("children") || "1"),
    consent: form.elements.consent.checked,
  };
  const errors = walkInErrors(values);
  showErrors(form, errors);
  if (Object.keys(errors).length) return;
  session.families.push({
    id: `new-${Date.now()}`,
    local: true,
    name: `${values.carer_first_name} ${values.carer_last_name}`.trim(),
    children: [{ first_name: values.child_first_name, age: "" }],
    flags: [],
    attended: true,
    adults: values.adults,
    children_count: values.children,
  });
  await record({ kind: "walk_in", occurrence_id: session.id, base_version: session.version, ...values });
  location.hash = `#register-${session.id}`;
  notify(`${values.carer_first_name} added and ticked as here.`);
}

async function onVisit(event) {
  event.preventDefault();
  const form = event.target;
  const visit = findVisit(form.dataset.visit);
  const chosen = form.querySelector("input[name=status]:checked");
  document.getElementById("visit-errors").hidden = Boolean(chosen);
  if (!chosen) {
    document.getElementById("visit-errors").focus();
    return;
  }
  const change = {
    kind: "visit",
    visit_id: visit.id,
    status: chosen.value,
    outcome_notes: form.elements.outcome_notes.value.trim(),
    base_version: visit.version,
  };
  visit.status = change.status;
  visit.outcome_notes = change.outcome_notes;
  await record(change, `visit:${visit.id}`);
  location.hash = "";
  notify(`The visit to ${visit.name} is recorded.`);
}

// --- Start ----------------------------------------------------------------------------------

async function signOutWiping(event) {
  // The sign-out response also tells the browser to clear the site's storage; this makes sure
  // of it before the page leaves.
  event.preventDefault();
  await wipe();
  event.target.submit();
}

async function start() {
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(config.workerUrl, { scope: config.scope }).catch(() => {});
  }
  db = await openDatabase();
  meta = (await get("meta", "meta")) || null;
  cryptoKey = (await get("keys", "current")) || null;
  if (cryptoKey) {
    const sealedBundle = await get("vault", "bundle");
    const sealedAttention = await get("vault", "attention");
    bundle = sealedBundle ? await unseal(sealedBundle) : null;
    attention = sealedAttention ? await unseal(sealedAttention) : [];
  }
  if (meta && meta.lastContactAt && Date.now() - meta.lastContactAt > days * DAY_MS) {
    await wipeTellingWhy(`What this device kept was deleted: it had not been in touch with the office for ${days} days.`);
  }
  document.getElementById("prepare-button").addEventListener("click", () => syncNow());
  document.getElementById("sync-button").addEventListener("click", () => syncNow());
  document.getElementById("walk-in-form").addEventListener("submit", onWalkIn);
  document.getElementById("visit-form").addEventListener("submit", onVisit);
  const signOut = document.querySelector("form[action$='/sign-out']");
  if (signOut) signOut.addEventListener("submit", signOutWiping);
  window.addEventListener("hashchange", showView);
  window.addEventListener("offline", renderConnection);
  window.addEventListener("online", () => {
    officeUnreachable = false;
    renderConnection();
    syncNow({ quiet: true });
  });
  // From the landing page's "Get ready for offline" button: download straight away.
  const prepare = location.hash === "#prepare";
  if (prepare) history.replaceState(null, "", location.pathname);
  await render();
  if (navigator.onLine) {
    const pending = (await getAll("outbox")).length;
    const status = await askForKey();
    if (status === "ok" && (pending || prepare || freshCopyWanted)) await syncNow({ quiet: !prepare });
    else if (status !== "ok" && status !== "offline") explain(status);
    await render();
  }
  // navigator.onLine and its "online" event are not reliable (a page opened without signal
  // may never hear it): while changes wait, try quietly every few seconds as well.
  setInterval(async () => {
    if (!busy && db && (await getAll("outbox")).length) syncNow({ quiet: true });
  }, RETRY_MS);
  root.dataset.ready = "true";
}

start();
