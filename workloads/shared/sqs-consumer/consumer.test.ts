import { expect } from "chai";
import { backoffSeconds } from "./consumer";
import { Slots } from "./slots";

describe("backoffSeconds (visibility of a released message)", () => {
  it("doubles with each receive from the base, up to the cap and SQS's 12 hours", () => {
    const backoff = { baseSeconds: 10, maxSeconds: 900 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffSeconds(n, backoff))).to.deep.equal([
      10, 20, 40, 80, 160, 320, 640, 900,
    ]);
    expect(backoffSeconds(40, { baseSeconds: 10, maxSeconds: 100_000 })).to.equal(43_200);
    expect(backoffSeconds(0, backoff)).to.equal(10);
  });
});

describe("Slots", () => {
  it("never lets more than its size hold a slot, and serves waiters in order", async () => {
    const slots = new Slots(3);
    const order: number[] = [];
    let holding = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        slots.with(async () => {
          holding++;
          most = Math.max(most, holding);
          order.push(i);
          await new Promise((r) => setTimeout(r, 1 + (i % 3)));
          holding--;
        }),
      ),
    );
    expect(most).to.equal(3);
    expect(slots.peak).to.equal(3);
    expect(slots.inUse).to.equal(0);
    expect(order).to.deep.equal([...order].sort((a, b) => a - b));
  });
});
