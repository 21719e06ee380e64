// Builder of a committee check: how many secret comparisons, of how many bits.

import { h, field } from "../dom.js";
import { intOf } from "./inputs.js";
import { t } from "../i18n/index.js";

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
      h("p", {}, t("checkb.body")),
      field(t("check.comparisons"), comparisons, t("checkb.comparisonsHint")),
      field(t("check.bits"), bits, t("checkb.bitsHint")),
    ),
    load: (spec) => {
      comparisons.value = String(spec.comparisons);
      bits.value = String(spec.bits);
    },
    errors: () => {
      const out = [];
      const c = Number(comparisons.value);
      const b = Number(bits.value);
      if (!Number.isInteger(c) || c < 1 || c > 100000) out.push([comparisons, t("checkb.err.comparisons")]);
      if (!Number.isInteger(b) || b < 1 || b > 64) out.push([bits, t("checkb.err.bits")]);
      return out;
    },
    read: () => ({ comparisons: intOf(comparisons, 1000), bits: intOf(bits, 32) }),
  };
}
