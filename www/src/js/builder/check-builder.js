// Builder of a committee check: how many secret comparisons, of how many bits.

import { h, field } from "../dom.js";
import { intOf } from "./inputs.js";

export function checkBuilder() {
  const comparisons = h("input", {
    type: "number",
    min: 1,
    max: 100000,
    step: 1,
    value: "1000",
    id: "check-comparisons",
  });
  const bits = h("input", { type: "number", min: 1, max: 64, step: 1, value: "32", id: "check-bits" });
  return {
    element: h(
      "div",
      { class: "stack" },
      h(
        "p",
        {},
        "The session takes no answers. Close it once every member has joined: the committee then works out a known answer " +
          "with secret comparisons, exactly as it would on real answers, and the results page says whether it got it right.",
      ),
      field(
        "Secret comparisons",
        comparisons,
        "From 1 to 100,000. More takes longer and shows how fast the committee is.",
      ),
      field("Bits per compared value", bits, "From 1 to 64. Wider values take longer."),
    ),
    load: (spec) => {
      comparisons.value = String(spec.comparisons);
      bits.value = String(spec.bits);
    },
    errors: () => {
      const out = [];
      const c = Number(comparisons.value);
      const b = Number(bits.value);
      if (!Number.isInteger(c) || c < 1 || c > 100000)
        out.push([comparisons, "Enter a whole number from 1 to 100,000."]);
      if (!Number.isInteger(b) || b < 1 || b > 64) out.push([bits, "Enter a whole number from 1 to 64."]);
      return out;
    },
    read: () => ({ comparisons: intOf(comparisons, 1000), bits: intOf(bits, 32) }),
  };
}
