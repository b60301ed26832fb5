// A Matrix client with Element's crypto (matrix-js-sdk + Rust crypto), driven by the
// Python tests (tests/helpers/foreign_client.py) over newline-delimited JSON:
//   stdin:  {"id": 1, "op": "login", ...}          one request a line
//   stdout: {"id": 1, "ok": true, "result": ...}    its answer (or "ok": false, "error")
//           {"event": "timeline", ...}              every timeline event, once decrypted
// stdout carries the protocol only; every log goes to stderr (FOREIGN_LOG=debug for more).

// Node 20 has no Promise.withResolvers (Node 22 has); the js-sdk uses it everywhere.
if (!Promise.withResolvers) {
    Promise.withResolvers = function () {
        let resolve, reject;
        const promise = new this((res, rej) => { resolve = res; reject = rej; });
        return { promise, resolve, reject };
    };
}

// The sdk and its wasm crypto log through console.*: keep them off stdout, and quiet
// unless FOREIGN_LOG asks (error by default; warn, info, debug). Filtering here, not
// with the sdk's logger.setLevel: each of its child loggers resets itself to DEBUG.
const LEVELS = { error: 0, warn: 1, info: 2, log: 2, debug: 3, trace: 3 };
const wanted = LEVELS[process.env.FOREIGN_LOG || "error"] ?? 0;
for (const name of Object.keys(LEVELS)) {
    console[name] = LEVELS[name] > wanted ? () => {}
        : (...args) => process.stderr.write(args.map(String).join(" ") + "\n");
}

// The Rust crypto store is IndexedDB; outside a browser fake-indexeddb provides one
// (in memory, gone with the process, like the client itself).
await import("fake-indexeddb/auto");
const sdk = await import("matrix-js-sdk");
const cryptoApi = await import("matrix-js-sdk/lib/crypto-api/index.js");
const { CryptoEvent } = cryptoApi;

let client = null;
let password = null;
const reported = new Set(); // "event id/state": each state of an event is reported once

function emit(message) {
    process.stdout.write(JSON.stringify(message) + "\n");
}

// One timeline event, as the Python side sees it. For an encrypted event this runs
// once decryption is over (success or failure), so shields and push actions are final.
async function report(ev) {
    const eventId = ev.getId();
    if (!eventId || !eventId.startsWith("$")) return; // a local echo of our own send
    // Not decrypted yet (the timeline gets it first, decryption may not even have
    // started): MatrixEventEvent.Decrypted reports it.
    if (ev.isEncrypted() && !ev.getClearContent() && !ev.isDecryptionFailure()) return;
    const utd = ev.isDecryptionFailure();
    const key = `${eventId}/${utd ? "utd" : "ok"}`;
    if (reported.has(key)) return;
    reported.add(key);
    const out = {
        event: "timeline",
        room_id: ev.getRoomId(),
        event_id: eventId,
        sender: ev.getSender(),
        type: ev.getType(), // the decrypted type for an encrypted event
        content: ev.getContent(),
        encrypted: ev.isEncrypted(),
        utd,
        utd_reason: utd ? ev.decryptionFailureReason : null,
        state_key: ev.getStateKey() ?? null,
        redacts: ev.event.redacts ?? ev.getContent().redacts ?? null,
    };
    if (ev.isEncrypted() && !utd) {
        const info = await client.getCrypto().getEncryptionInfoForEvent(ev);
        out.shield = info && {
            colour: cryptoApi.EventShieldColour[info.shieldColour],
            reason: info.shieldReason === null ? null : cryptoApi.EventShieldReason[info.shieldReason],
        };
    }
    // forceRecalculate: encrypted events are evaluated on their decrypted content, as Element does.
    const actions = client.getPushActionsForEvent(ev, true);
    out.push = actions && { notify: !!actions.notify, highlight: !!actions.tweaks?.highlight };
    emit(out);
}

// Rooms and memberships change only when a sync response is processed: check again
// after each one (ClientEvent.Sync), until true or the deadline.
function untilSynced(check, what, timeoutMs = 30000) {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
        const done = () => { clearTimeout(timer); client.off(sdk.ClientEvent.Sync, onSync); };
        const onSync = () => { if (check()) { done(); resolve(); } };
        const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${what}`)); }, timeoutMs);
        client.on(sdk.ClientEvent.Sync, onSync);
    });
}

const ops = {
    async login({ homeserver, user_id, password: pw, device_id }) {
        const t0 = Date.now();
        const anon = sdk.createClient({ baseUrl: homeserver });
        const resp = await anon.loginRequest({
            type: "m.login.password",
            identifier: { type: "m.id.user", user: user_id },
            password: pw,
            device_id,
            initial_device_display_name: "foreign js-sdk client",
        });
        password = pw;
        client = sdk.createClient({
            baseUrl: homeserver,
            userId: resp.user_id,
            deviceId: resp.device_id,
            accessToken: resp.access_token,
        });
        await client.initRustCrypto();
        client.on(sdk.RoomEvent.Timeline, (ev) => report(ev).catch(fail));
        client.on(sdk.MatrixEventEvent.Decrypted, (ev) => report(ev).catch(fail));
        const prepared = new Promise((resolve) => {
            client.on(sdk.ClientEvent.Sync, (state) => { if (state === "PREPARED") resolve(); });
        });
        await client.startClient({ initialSyncLimit: 20, lazyLoadMembers: false });
        await prepared;
        return { user_id: resp.user_id, device_id: resp.device_id, login_ms: Date.now() - t0 };
    },

    // Cross-signing keys made and uploaded, this device signed by them: an Element user
    // who has set up secure backup. UIA is answered with the account password.
    async bootstrap_cross_signing() {
        const crypto = client.getCrypto();
        await crypto.bootstrapCrossSigning({
            authUploadDeviceSigningKeys: async (makeRequest) => {
                await makeRequest({
                    type: "m.login.password",
                    identifier: { type: "m.id.user", user: client.getUserId() },
                    password,
                });
            },
        });
        return { ready: await crypto.isCrossSigningReady(), status: await crypto.getCrossSigningStatus() };
    },

    async set_isolation({ mode }) {
        const isolation = mode === "only_signed"
            ? new cryptoApi.OnlySignedDevicesIsolationMode()
            : new cryptoApi.AllDevicesIsolationMode(false);
        client.getCrypto().setDeviceIsolationMode(isolation);
        return { mode };
    },

    async create_room({ invite = [], encrypted = true, name }) {
        const initial_state = encrypted
            ? [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }]
            : [];
        const { room_id } = await client.createRoom({ preset: "private_chat", invite, initial_state, name });
        // Sending before the sync has the room (and its encryption state) would fail or go out in clear.
        await untilSynced(() => client.getRoom(room_id)?.getMyMembership() === "join", `room ${room_id}`);
        if (encrypted) await untilSynced(() => client.getRoom(room_id).hasEncryptionStateEvent(), "encryption state");
        return { room_id };
    },

    // A direct chat as Element starts one: trusted_private_chat, is_direct on the invite,
    // encrypted from the start, and the room recorded in the user's m.direct account data.
    async create_dm({ user_id }) {
        const initial_state = [{ type: "m.room.encryption", state_key: "", content: { algorithm: "m.megolm.v1.aes-sha2" } }];
        const { room_id } = await client.createRoom({ preset: "trusted_private_chat", is_direct: true, invite: [user_id], initial_state });
        const direct = client.getAccountData("m.direct")?.getContent() ?? {};
        await client.setAccountData("m.direct", { ...direct, [user_id]: [...(direct[user_id] ?? []), room_id] });
        await untilSynced(() => client.getRoom(room_id)?.getMyMembership() === "join", `room ${room_id}`);
        await untilSynced(() => client.getRoom(room_id).hasEncryptionStateEvent(), "encryption state");
        return { room_id };
    },

    async invite({ room_id, user_id }) {
        await client.invite(room_id, user_id);
        return {};
    },

    async join({ room_id }) {
        await client.joinRoom(room_id);
        await untilSynced(() => client.getRoom(room_id)?.getMyMembership() === "join", `joining ${room_id}`);
        return { room_id };
    },

    // Any event: m.room.message (text, edit), m.reaction, poll responses; encrypted by the
    // sdk when the room is.
    async send({ room_id, type, content }) {
        const { event_id } = await client.sendEvent(room_id, type, content);
        return { event_id };
    },

    // Drop the room's outbound Megolm session: the next message starts a new one and
    // sends its key to every member's device over Olm (how a test makes a key travel).
    async discard_session({ room_id }) {
        await client.getCrypto().forceDiscardSession(room_id);
        return {};
    },

    async redact({ room_id, event_id, reason }) {
        const resp = await client.redactEvent(room_id, event_id, undefined, reason ? { reason } : undefined);
        return { event_id: resp.event_id };
    },

    // A member's membership as this client's sync sees it (e.g. the bot having joined).
    async membership({ room_id, user_id }) {
        return { membership: client.getRoom(room_id)?.getMember(user_id)?.membership ?? null };
    },

    // Devices of a user, their keys downloaded from the server if not known yet.
    async devices({ user_id }) {
        const map = await client.getCrypto().getUserDeviceInfo([user_id], true);
        return { device_ids: [...(map.get(user_id)?.keys() ?? [])] };
    },

    async device_status({ user_id, device_id }) {
        const crypto = client.getCrypto();
        await crypto.getUserDeviceInfo([user_id], true);
        const s = await crypto.getDeviceVerificationStatus(user_id, device_id);
        return s && {
            signed_by_owner: s.signedByOwner,
            cross_signing_verified: s.crossSigningVerified,
            local_verified: s.localVerified,
            verified: s.isVerified(),
        };
    },

    // The user's cross-signing public keys as this client holds them (downloaded if not
    // yet): the master key is what Element pins for a user and compares on every change.
    async cross_signing_keys({ user_id }) {
        const crypto = client.getCrypto();
        await crypto.getUserDeviceInfo([user_id], true);
        const keys = await crypto.getUserCrossSigningKeys(user_id);
        const publicOf = (key) => key && Object.values(key.keys)[0];
        return keys && { master: publicOf(keys.master_key), self_signing: publicOf(keys.self_signing_key) };
    },

    // Wait until this client knows a device of a user: a new device (e.g. the bot's after a
    // lost crypto store) is learnt from a sync's device_lists.changed and a /keys/query.
    // Sending before that would encrypt for the old device list only.
    async wait_device({ user_id, device_id, timeout_ms = 30000 }) {
        const crypto = client.getCrypto();
        const known = async () => (await crypto.getUserDeviceInfo([user_id], true)).get(user_id)?.has(device_id);
        if (await known()) return {};
        await new Promise((resolve, reject) => {
            const check = () => known().then((yes) => { if (yes) { done(); resolve(); } }, fail);
            const done = () => {
                clearTimeout(timer);
                client.off(CryptoEvent.DevicesUpdated, check);
                client.off(sdk.ClientEvent.Sync, check);
            };
            const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${user_id}'s device ${device_id}`)); }, timeout_ms);
            client.on(CryptoEvent.DevicesUpdated, check);
            client.on(sdk.ClientEvent.Sync, check);
        });
        return {};
    },

    // An attachment's bytes (base64), fetched with this user's token from the
    // authenticated media endpoint; the Python side decrypts an encrypted one.
    async download({ mxc }) {
        const url = client.mxcUrlToHttp(mxc, undefined, undefined, undefined, false, true, true);
        const resp = await fetch(url, { headers: { Authorization: `Bearer ${client.getAccessToken()}` } });
        if (!resp.ok) throw new Error(`download ${mxc}: HTTP ${resp.status}`);
        return { base64: Buffer.from(await resp.arrayBuffer()).toString("base64") };
    },

    async user_status({ user_id }) {
        const s = await client.getCrypto().getUserVerificationStatus(user_id);
        return {
            known: s.known,
            verified: s.isVerified(),
            cross_signing_verified: s.isCrossSigningVerified(),
            needs_user_approval: s.needsUserApproval,
        };
    },

    async memory() {
        return process.memoryUsage();
    },

    async stop({ logout = false }) {
        if (client) {
            client.stopClient();
            if (logout) await client.logout(true);
        }
        setImmediate(() => process.exit(0));
        return {};
    },
};

function fail(err) {
    process.stderr.write(`foreign client: ${err?.stack || err}\n`);
}

async function handle(line) {
    let req;
    try {
        req = JSON.parse(line);
    } catch (err) {
        return fail(`bad request line: ${line}`);
    }
    const { id, op, ...args } = req;
    try {
        if (!ops[op]) throw new Error(`unknown op ${op}`);
        if (op !== "login" && !client) throw new Error("not logged in");
        emit({ id, ok: true, result: (await ops[op](args)) ?? null });
    } catch (err) {
        emit({ id, ok: false, error: `${err?.name}: ${err?.message}`, errcode: err?.errcode ?? null });
    }
}

// Requests run concurrently (a slow send must not hold a status query).
let buffer = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
    buffer += chunk;
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) handle(line);
    }
});
// The Python side went away: do not linger.
process.stdin.on("end", () => { client?.stopClient(); process.exit(0); });
process.on("unhandledRejection", fail);
