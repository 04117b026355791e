// A consumer's flow through openapi-fetch with the types openapi-typescript generates from /v1/openapi.json: post a
// call, page the log to it, read its card, set the project's categories and the call's, then patch only
// `call_rating` (the category stays). Type-checked (strict `tsc --noEmit`) and run by
// tests/integration/test_generated_clients.py:
//
//     CALLCARD_URL=http://127.0.0.1:8000 CALLCARD_KEY=cc_... node build/flow.js

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api.js";

type CallIn = components["schemas"]["CallIn"];

function setting(name: string): string {
  const value = process.env[name];
  assert.ok(value, `${name} is not set`);
  return value;
}

const client = createClient<paths>({
  baseUrl: setting("CALLCARD_URL"),
  headers: { Authorization: `Bearer ${setting("CALLCARD_KEY")}` },
});

const startedAt = new Date(Date.now() - 60_000);
startedAt.setMilliseconds(0);
const call: CallIn = {
  external_id: `typescript-client-${randomUUID()}`,
  direction: "incoming",
  status: "answered",
  started_at: startedAt.toISOString(),
  caller: "+380671234567",
  destination: "+380441112233",
  wait_seconds: 3,
  talk_seconds: 42,
};
const posted = await client.POST("/v1/calls", { body: call });
assert.equal(posted.response.status, 201, JSON.stringify(posted.error));
assert.ok(posted.data);
const callId: string = posted.data.call_id;

// a page of one at a time, following next_cursor until the call turns up
const seen: string[] = [];
let cursor: string | null = null;
while (!seen.includes(callId)) {
  const query: { limit: number; cursor?: string } = cursor === null ? { limit: 1 } : { limit: 1, cursor };
  const page = await client.GET("/v1/calls", { params: { query } });
  assert.ok(page.data, JSON.stringify(page.error));
  seen.push(...page.data.items.map((item) => item.call_id));
  assert.ok(page.data.next_cursor !== null || seen.includes(callId), "the log ended without the call");
  cursor = page.data.next_cursor;
}

const card = await client.GET("/v1/calls/{call_id}", { params: { path: { call_id: callId } } });
assert.ok(card.data, JSON.stringify(card.error));
assert.equal(new Date(card.data.call.started_at).getTime(), startedAt.getTime());
assert.equal(card.data.call.talk_seconds, 42);
assert.equal(card.data.visit, null);
assert.equal(card.data.last_visit, null);

const category = "sale";
const settings = await client.PATCH("/v1/settings", { body: { categories: [category, "question"] } });
assert.deepEqual(settings.data?.categories, [category, "question"], JSON.stringify(settings.error));
const review = { params: { path: { call_id: callId } } };
const categorised = await client.PATCH("/v1/calls/{call_id}/review", { ...review, body: { category } });
assert.equal(categorised.data?.category, category, JSON.stringify(categorised.error));
const rated = await client.PATCH("/v1/calls/{call_id}/review", { ...review, body: { call_rating: 4 } });
assert.ok(rated.data, JSON.stringify(rated.error));
assert.deepEqual([rated.data.category, rated.data.call_rating], [category, 4]);
console.log(`typescript client: call ${callId} posted, found in the log, read, categorised and rated`);
