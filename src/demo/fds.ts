import type { FdsAssessment, FdsDecision, FdsReason, FdsSignals } from './types.js';

/*
 * Fraud detection rules of the demo shop. They are deliberately simple, additive and
 * deterministic so that example suites can produce every decision on purpose.
 *
 * | rule                    | condition                                        | points |
 * |-------------------------|--------------------------------------------------|--------|
 * | amount_elevated         | 100,000 <= amount < 500,000 KRW                  | +10    |
 * | amount_high             | 500,000 <= amount < 1,500,000 KRW                | +25    |
 * | amount_very_high        | amount >= 1,500,000 KRW                          | +40    |
 * | card_country_mismatch   | card country != shipping country                 | +25    |
 * | new_device              | device id never seen for the user                | +15    |
 * | new_shipping_address    | shipping address never used by the user          | +10    |
 * | order_velocity_elevated | 3..4 orders by the user in the last 10 minutes   | +15    |
 * | order_velocity_high     | >= 5 orders by the user in the last 10 minutes   | +30    |
 *
 * The score is the sum, capped at 100. Decision: approve below 40, review from 40 to 69,
 * block from 70. Worked examples (a fresh account whose device was registered at signup):
 *   19,000 KRW, KR card, KR address (first order)              -> 10 approve
 *   649,000 KRW, US card, KR address (first order)             -> 60 review
 *   1,890,000 KRW, US card, KR address, unknown device         -> 90 block
 */

export const REVIEW_THRESHOLD = 40;
export const BLOCK_THRESHOLD = 70;
/** Orders placed within this window count towards velocity. */
export const VELOCITY_WINDOW_MS = 10 * 60 * 1000;

export function decide(score: number): FdsDecision {
  if (score >= BLOCK_THRESHOLD) return 'block';
  if (score >= REVIEW_THRESHOLD) return 'review';
  return 'approve';
}

const won = (n: number): string => `${n.toLocaleString('en-US')} KRW`;

export function assessRisk(signals: FdsSignals): FdsAssessment {
  const reasons: FdsReason[] = [];
  const { amount } = signals;
  if (amount >= 1_500_000) {
    reasons.push({ code: 'amount_very_high', points: 40, message: `Order amount ${won(amount)} is at least ${won(1_500_000)}` });
  } else if (amount >= 500_000) {
    reasons.push({ code: 'amount_high', points: 25, message: `Order amount ${won(amount)} is at least ${won(500_000)}` });
  } else if (amount >= 100_000) {
    reasons.push({ code: 'amount_elevated', points: 10, message: `Order amount ${won(amount)} is at least ${won(100_000)}` });
  }
  if (signals.cardCountry !== signals.shippingCountry) {
    reasons.push({
      code: 'card_country_mismatch',
      points: 25,
      message: `Card issued in ${signals.cardCountry} but shipping to ${signals.shippingCountry}`,
    });
  }
  if (signals.newDevice) {
    reasons.push({ code: 'new_device', points: 15, message: 'Order placed from a device not seen before for this account' });
  }
  if (signals.newAddress) {
    reasons.push({ code: 'new_shipping_address', points: 10, message: 'Shipping address not used before by this account' });
  }
  if (signals.recentOrders >= 5) {
    reasons.push({ code: 'order_velocity_high', points: 30, message: `${signals.recentOrders} orders in the last 10 minutes` });
  } else if (signals.recentOrders >= 3) {
    reasons.push({ code: 'order_velocity_elevated', points: 15, message: `${signals.recentOrders} orders in the last 10 minutes` });
  }
  const score = Math.min(100, reasons.reduce((sum, r) => sum + r.points, 0));
  return { score, decision: decide(score), reasons };
}
