import { expect } from "chai";
import { sign, verify } from "./signature";

// Slack's documented example request: signing secret, timestamp, body and the signature it yields.
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const TS = "1531420618";
const BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const EXPECTED = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
const at = (ts: string, plusSeconds = 0) => new Date((Number(ts) + plusSeconds) * 1000);
const headers = (signature: string, ts = TS) => ({ "x-slack-signature": signature, "x-slack-request-timestamp": ts });

describe("Slack request signing (v0)", () => {
  it("matches Slack's documented example", () => {
    expect(sign(SECRET, TS, BODY)).to.equal(EXPECTED);
    expect(verify(SECRET, headers(EXPECTED), BODY, at(TS, 10))).to.deep.equal({ ok: true });
  });

  it("refuses a changed body, a wrong secret, a signature of another length, and missing headers", () => {
    expect(verify(SECRET, headers(EXPECTED), BODY.replace("roadrunner", "coyote"), at(TS))).to.deep.equal({
      ok: false,
      reason: "bad signature",
    });
    expect(verify("another-secret", headers(EXPECTED), BODY, at(TS)).ok).to.equal(false);
    expect(verify(SECRET, headers(EXPECTED.slice(0, -1)), BODY, at(TS))).to.deep.equal({
      ok: false,
      reason: "bad signature",
    });
    expect(verify(SECRET, {}, BODY, at(TS))).to.deep.equal({ ok: false, reason: "missing signature headers" });
  });

  it("refuses timestamps more than five minutes away, either side, and malformed ones", () => {
    expect(verify(SECRET, headers(EXPECTED), BODY, at(TS, 300)).ok).to.equal(true);
    expect(verify(SECRET, headers(EXPECTED), BODY, at(TS, 301))).to.deep.equal({
      ok: false,
      reason: "stale timestamp",
    });
    expect(verify(SECRET, headers(EXPECTED), BODY, at(TS, -301))).to.deep.equal({
      ok: false,
      reason: "stale timestamp",
    });
    expect(verify(SECRET, headers(EXPECTED, "1531420618.5"), BODY, at(TS)).ok).to.equal(false);
  });
});
