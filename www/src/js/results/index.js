// The result renderer of each session kind: `(schema, result) -> {nodes, csv}`.

import { renderVote } from "./vote.js";
import { renderSurvey } from "./survey.js";
import { renderBudget } from "./budget.js";
import { renderCheck } from "./check.js";

export const RENDERERS = { vote: renderVote, survey: renderSurvey, budget: renderBudget, check: renderCheck };
