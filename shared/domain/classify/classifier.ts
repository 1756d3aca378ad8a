/**
 * Rules → compact model → (optionally) the LLM. The rules decide what they are sure of
 * (safety, spam, explicit category phrases); the model fills in sentiment and the category
 * where no phrase matched; the LLM is asked only when the two disagree, the confidence is low
 * or several intents are present. Whatever the LLM says, routing (owner team), the safety
 * severity and the recommended action stay with the local, auditable path.
 */
import type { ClassificationBlock } from '../blocks/classification.js';
import { ownerTeamOf, type Intent, type SentimentLabel, type Severity, type Taxonomy } from '../taxonomy.js';
import type { CandidateLabels, ClassifyInput } from './labels.js';
import { severityRank } from './labels.js';
import { probabilityOf, type CompactModel, type Prediction } from './model.js';
import { applyRulesToTokens, ruleTokens, type CompiledRules, type RuleFindings } from './rules.js';
import { foldText, tokenizeFolded } from './text.js';
import type { LlmClassifier, LlmLabels, LlmUsage } from './llm.js';

export type Classification = Omit<ClassificationBlock, 'needsReview'>;

export interface LocalOutcome {
  classification: Classification;
  candidates: CandidateLabels;
  /** Why the LLM should look at this item; empty when the local path is sure enough. */
  escalationReasons: string[];
  findings: RuleFindings;
}

export interface ClassifierOutcome extends LocalOutcome {
  llm: {
    attempted: boolean;
    used: boolean;
    cached: boolean;
    usage: LlmUsage;
    fallbackReason?: string;
  } | null;
}

export interface FeedbackClassifier {
  readonly modelVersion: string;
  readonly rulesVersion: string;
  readonly promptVersion: string | null;
  /** Rules and model only: synchronous, no I/O (eval, bench, the CLI without an LLM). */
  classifyLocal(input: ClassifyInput): LocalOutcome;
  /** The local path plus the LLM when configured and the item is ambiguous. */
  classify(input: ClassifyInput): Promise<ClassifierOutcome>;
}

export interface ClassifierOptions {
  taxonomy: Taxonomy;
  rules: CompiledRules;
  model: CompactModel;
  llm?: LlmClassifier;
  /** Below this confidence the item is escalated to the LLM (when there is one). */
  escalationThreshold?: number;
}

export const DEFAULT_ESCALATION_THRESHOLD = 0.55;

const sentimentOrder: SentimentLabel[] = ['positive', 'neutral', 'negative'];

function ratingPrior(input: ClassifyInput): SentimentLabel | null {
  if (input.rating !== undefined)
    return input.rating <= 2 ? 'negative' : input.rating >= 4 ? 'positive' : 'neutral';
  if (input.npsScore !== undefined)
    return input.npsScore <= 6 ? 'negative' : input.npsScore >= 9 ? 'positive' : 'neutral';
  return null;
}

function softmax(logits: number[]): number[] {
  const max = Math.max(...logits);
  const exps = logits.map((value) => Math.exp(value - max));
  const sum = exps.reduce((total, value) => total + value, 0);
  return exps.map((value) => value / sum);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const NON_ISSUE = new Set(['praise', 'other']);

/**
 * Where each wanted label sits in a prediction's probabilities (-1: the head does not know it),
 * computed once per head instead of an `indexOf` per label and item.
 */
function labelPositions(wanted: readonly string[]): (prediction: Prediction) => Int32Array {
  let labels: readonly string[] | undefined;
  let positions = new Int32Array(0);
  return (prediction) => {
    if (prediction.labels !== labels) {
      labels = prediction.labels;
      positions = Int32Array.from(wanted, (label) => prediction.labels.indexOf(label));
    }
    return positions;
  };
}

function probabilityAt(prediction: Prediction, position: number): number {
  return position < 0 ? 0 : (prediction.probabilities[position] as number);
}

/** Per category and language: single-word synonyms by token, multi-word ones as padded phrases. */
interface ComponentIndex {
  allowed: Set<string>;
  byLanguage: Map<string, { single: Map<string, string>; multi: { phrase: string; id: string }[] }>;
}

function componentIndex(taxonomy: Taxonomy): Map<string, ComponentIndex> {
  const index = new Map<string, ComponentIndex>();
  for (const category of taxonomy.categories) {
    const entry: ComponentIndex = { allowed: new Set(), byLanguage: new Map() };
    for (const component of taxonomy.components.filter((candidate) =>
      candidate.categories.includes(category.id),
    )) {
      entry.allowed.add(component.id);
      for (const [language, synonyms] of Object.entries(component.synonyms)) {
        const forLanguage = entry.byLanguage.get(language) ?? {
          single: new Map<string, string>(),
          multi: [],
        };
        entry.byLanguage.set(language, forLanguage);
        for (const synonym of synonyms) {
          const tokens = ruleTokens(synonym);
          if (tokens.length === 1) {
            if (!forLanguage.single.has(tokens[0] as string))
              forLanguage.single.set(tokens[0] as string, component.id);
          } else if (tokens.length > 1) {
            forLanguage.multi.push({ phrase: ` ${tokens.join(' ')} `, id: component.id });
          }
        }
      }
    }
    index.set(category.id, entry);
  }
  return index;
}

/**
 * The affected part: a component the normalize stage recognised, else the first taxonomy synonym
 * in the text; only components the taxonomy lists for the primary category count ("Paket" in a
 * late delivery is not a packaging fault).
 */
function findComponent(
  index: Map<string, ComponentIndex>,
  input: ClassifyInput,
  tokens: string[],
  category: string,
): string | null {
  const entry = index.get(category);
  if (!entry) return null;
  const fromNormalize = input.components.find((id) => entry.allowed.has(id));
  if (fromNormalize) return fromNormalize;
  for (const language of input.language === 'en' ? ['en'] : [input.language, 'en']) {
    const forLanguage = entry.byLanguage.get(language);
    if (!forLanguage) continue;
    for (const token of tokens) {
      const id = forLanguage.single.get(token);
      if (id) return id;
    }
    if (forLanguage.multi.length > 0) {
      const padded = ` ${tokens.join(' ')} `;
      for (const { phrase, id } of forLanguage.multi) if (padded.includes(phrase)) return id;
    }
  }
  return null;
}

const EXCERPT_LENGTH = 120;

/** Whitespace that `oneSpaced` would change: a run, or anything but a plain space. */
const UNEVEN_SPACE = /\s\s|[^\S ]/;

/** Whitespace runs as one space; the text itself (no new string) when it has none. */
function oneSpaced(text: string): string {
  return UNEVEN_SPACE.test(text) ? text.replace(/\s+/g, ' ') : text;
}

/** The text on one line, cut to EXCERPT_LENGTH with an ellipsis. */
function excerptOf(text: string): string {
  // Collapsing a long text's head is enough when it alone runs past the cut: whitespace only
  // shrinks, and the head's collapsed form is the start of the whole text's.
  if (text.length > 2 * EXCERPT_LENGTH) {
    const head = oneSpaced(text.slice(0, 2 * EXCERPT_LENGTH)).trimStart();
    if (head.length > EXCERPT_LENGTH + 1) return `${head.slice(0, EXCERPT_LENGTH - 3)}...`;
  }
  const oneLine = oneSpaced(text).trim();
  return oneLine.length > EXCERPT_LENGTH ? `${oneLine.slice(0, EXCERPT_LENGTH - 3)}...` : oneLine;
}

function summaryOf(labels: CandidateLabels, text: string): string {
  const excerpt = excerptOf(text);
  const part = labels.component ? ` (${labels.component})` : '';
  const head = `${labels.sentiment.label} ${labels.primaryCategory}${part}, ${labels.severity}, ${labels.intent}`;
  return `${head}: "${excerpt}"`.slice(0, 300);
}

function recommendedActionOf(rules: CompiledRules, labels: CandidateLabels, ownerTeam: string): string {
  const actions = rules.config.recommendedActions;
  const action =
    (labels.severity === 'critical' ? actions.critical : undefined) ??
    (labels.intent === 'spam' ? actions.spam : undefined) ??
    actions[labels.primaryCategory] ??
    actions.other ??
    'No action needed.';
  return action.replace('{ownerTeam}', ownerTeam).slice(0, 300);
}

export function buildClassifier(options: ClassifierOptions): FeedbackClassifier {
  const { taxonomy, rules, model, llm } = options;
  const threshold = options.escalationThreshold ?? DEFAULT_ESCALATION_THRESHOLD;
  const categoryIds = taxonomy.categories.map((category) => category.id);
  const components = componentIndex(taxonomy);
  const priority = rules.config.categoryPriority;
  const priorityIndex = new Map(priority.map((category, index) => [category, index]));
  const priorityOf = (category: string) => priorityIndex.get(category) ?? priority.length;
  const categoryPriority = Float64Array.from(categoryIds, priorityOf);
  const sentimentPositions = labelPositions(sentimentOrder);
  const categoryPositions = labelPositions(categoryIds);
  // Scores per taxonomy category, then 'defect' and 'praise' when the taxonomy lacks them (they
  // get a score only when a rule below bumps one; NaN until then never wins).
  const scoredIds = [...categoryIds, ...['defect', 'praise'].filter((id) => !categoryIds.includes(id))];
  const defectAt = scoredIds.indexOf('defect');
  const praiseAt = scoredIds.indexOf('praise');
  // Reused per item (classifyLocal is synchronous): a typed array per call costs an allocation.
  const scores = new Float64Array(scoredIds.length);
  const bump = (at: number, delta: number) => {
    const current = scores[at] as number;
    scores[at] = (Number.isNaN(current) ? 0 : current) + delta;
  };

  function assemble(
    labels: CandidateLabels,
    confidence: number,
    method: 'rules' | 'model' | 'llm',
    ruleIds: string[],
    reasons: string[],
    text: string,
    promptVersion: string | null,
    summary?: string,
  ): Classification {
    const ownerTeam = ownerTeamOf(taxonomy, labels.primaryCategory);
    return {
      sentiment: labels.sentiment,
      primaryCategory: labels.primaryCategory,
      secondaryCategories: labels.secondaryCategories,
      component: labels.component,
      severity: labels.severity,
      intent: labels.intent,
      ownerTeam,
      summary: oneSpaced(summary ?? summaryOf(labels, text)).slice(0, 300),
      recommendedAction: recommendedActionOf(rules, labels, ownerTeam),
      confidence: round(clamp(confidence, 0, 1)),
      provenance: { method, ruleIds, modelVersion: model.version, promptVersion, reasons },
    };
  }

  function classifyLocal(input: ClassifyInput): LocalOutcome {
    const text = input.title ? `${input.title}. ${input.text}` : input.text;
    // One folding and one tokenisation for both the rules and the model.
    const tokens = tokenizeFolded(foldText(text));
    const findings = applyRulesToTokens(rules, tokens.ruleTokens, text.includes('?'), input.language);
    const predictions = model.predictTokens(tokens.featureTokens);
    const reasons: string[] = [];

    // Sentiment: the model's log-probabilities, nudged by cues and the rating prior.
    const modelSentiment = predictions.sentiment;
    // A refund or return the customer asks for is the intent, not a complaint about the returns process.
    if (findings.intents.has('return_request') && (findings.categories.get('returns_refunds') ?? 0) > 0) {
      findings.categories.set('returns_refunds', (findings.categories.get('returns_refunds') ?? 0) - 1);
      if (findings.categories.get('returns_refunds') === 0) findings.categories.delete('returns_refunds');
    }
    let issueHits = 0;
    for (const [category, hits] of findings.categories) if (!NON_ISSUE.has(category)) issueHits += hits;
    const sentimentAt = sentimentPositions(modelSentiment);
    const logits = [0, 1, 2].map((index) =>
      Math.log(Math.max(1e-6, probabilityAt(modelSentiment, sentimentAt[index] as number))),
    );
    logits[0] = (logits[0] as number) + 0.9 * Math.min(findings.positive, 3);
    logits[2] = (logits[2] as number) + 0.9 * Math.min(findings.negative, 3) + 0.8 * Math.min(issueHits, 2);
    // A plain question without complaint words leans neutral.
    const asks = findings.intents.has('question') || findings.questionMark;
    if (asks && findings.negative === 0 && !findings.highSeverity && findings.hazards.length === 0) {
      logits[1] = (logits[1] as number) + 1.2;
    }
    if (findings.hazards.length > 0) logits[2] = logits[2] + 3;
    if (findings.sarcasmStrong || (findings.sarcasm && (issueHits > 0 || findings.negative > 0))) {
      logits[2] = logits[2] + 3;
      logits[0] = logits[0] - 2;
      reasons.push('sarcasm cue');
    }
    const prior = ratingPrior(input);
    if (prior) {
      const index = sentimentOrder.indexOf(prior);
      logits[index] = (logits[index] as number) + 0.7;
    }
    const sentimentProbabilities = softmax(logits);
    let sentimentIndex = 0;
    sentimentProbabilities.forEach((probability, index) => {
      if (probability > (sentimentProbabilities[sentimentIndex] as number)) sentimentIndex = index;
    });
    const sentimentLabel = sentimentOrder[sentimentIndex] as SentimentLabel;
    const sentiment = {
      label: sentimentLabel,
      score: round(
        clamp((sentimentProbabilities[0] as number) - (sentimentProbabilities[2] as number), -1, 1),
      ),
      confidence: round(sentimentProbabilities[sentimentIndex] as number),
    };
    if (prior && prior !== sentimentLabel)
      reasons.push(`text (${sentimentLabel}) overrides rating prior (${prior})`);

    // Category: rule hits dominate, the model decides when no phrase matched.
    const modelCategory = predictions.category;
    const categoryAt = categoryPositions(modelCategory);
    scores.fill(NaN);
    for (let index = 0; index < categoryIds.length; index++) {
      const hits = findings.categories.get(categoryIds[index] as string) ?? 0;
      // Rule hits outweigh the model; on a tie of hits the configured priority decides.
      const tieBreak = hits > 0 ? (categoryPriority[index] as number) * 0.02 : 0;
      scores[index] =
        probabilityAt(modelCategory, categoryAt[index] as number) * 0.5 + 0.6 * Math.min(hits, 3) - tieBreak;
    }
    // Safety reports belong to defect (quality engineering owns product safety), whatever other
    // issue words come with them ("ignore the instructions ... it caught fire").
    if (findings.hazards.length > 0) bump(defectAt, issueHits === 0 ? 1 : 0.7);
    if (issueHits === 0 && sentimentLabel === 'positive') bump(praiseAt, 0.4);
    if (sentimentLabel !== 'positive') bump(praiseAt, -0.5);
    let primaryCategory = 'other';
    let best = -Infinity;
    for (let index = 0; index < scoredIds.length; index++) {
      if ((scores[index] as number) > best) {
        best = scores[index] as number;
        primaryCategory = scoredIds[index] as string;
      }
    }
    if (input.isSpam) primaryCategory = 'other';
    // Most hits, then the configured priority; on a full tie the first found.
    let ruleTop: string | undefined;
    let ruleTopHits = 0;
    for (const [category, hits] of findings.categories) {
      if (
        ruleTop === undefined ||
        hits > ruleTopHits ||
        (hits === ruleTopHits && priorityOf(category) < priorityOf(ruleTop))
      ) {
        ruleTop = category;
        ruleTopHits = hits;
      }
    }
    const secondaryCategories: string[] = [];
    for (let index = 0; index < categoryIds.length && secondaryCategories.length < 3; index++) {
      const category = categoryIds[index] as string;
      if (category === primaryCategory || category === 'other') continue;
      if (category === 'praise' && sentimentLabel === 'negative') continue;
      if (
        (findings.categories.get(category) ?? 0) > 0 ||
        probabilityAt(modelCategory, categoryAt[index] as number) >= 0.35
      )
        secondaryCategories.push(category);
    }

    const primaryHits = findings.categories.get(primaryCategory) ?? 0;
    const modelAgrees = modelCategory.label === primaryCategory;
    let categoryConfidence: number;
    if (input.isSpam) categoryConfidence = 0.95;
    else if (primaryHits > 0 && modelAgrees) categoryConfidence = Math.max(0.9, modelCategory.confidence);
    else if (primaryHits > 0) categoryConfidence = 0.62 + 0.1 * Math.min(primaryHits, 3);
    else if (findings.hazards.length > 0) categoryConfidence = 0.8;
    else if (primaryCategory === 'praise' && sentimentLabel === 'positive' && issueHits === 0) {
      // Positive text without any problem phrase: praise is as sure as the sentiment.
      categoryConfidence = Math.max(
        Math.sqrt(probabilityOf(modelCategory, 'praise')),
        0.85 * sentiment.confidence,
      );
    }
    // The model spreads probability over thirteen classes: the square root calibrates it
    // against the golden dev split (a winning 0.3 is right about as often as not).
    else categoryConfidence = Math.sqrt(probabilityOf(modelCategory, primaryCategory));

    // Severity: safety is critical whatever else is said; then cues; then the category's base.
    let severity: Severity = rules.config.baseSeverity[primaryCategory] ?? 'low';
    if (
      findings.highSeverity &&
      !NON_ISSUE.has(primaryCategory) &&
      severityRank[severity] < severityRank.high
    )
      severity = 'high';
    if (sentimentLabel === 'positive' && NON_ISSUE.has(primaryCategory)) severity = 'low';
    if (input.isSpam) severity = 'low';
    if (findings.hazards.length > 0) {
      severity = 'critical';
      reasons.push(`safety: ${findings.hazards.join(', ')}`);
    }

    // Intent.
    let intent: Intent;
    const question = findings.intents.has('question') || findings.questionMark;
    if (input.isSpam) intent = 'spam';
    else if (findings.intents.has('return_request')) intent = 'return_request';
    else if (question && (issueHits === 0 || sentimentLabel !== 'negative') && findings.hazards.length === 0)
      intent = 'question';
    else if (findings.intents.has('suggestion') && sentimentLabel !== 'negative') intent = 'suggestion';
    else if (sentimentLabel === 'negative' || !NON_ISSUE.has(primaryCategory)) intent = 'complaint';
    else intent = 'praise';

    const component = findComponent(components, input, findings.tokens, primaryCategory);
    const candidates: CandidateLabels = {
      sentiment,
      primaryCategory,
      secondaryCategories,
      component,
      severity,
      intent,
    };
    const confidence = Math.min(sentiment.confidence, categoryConfidence);

    const escalationReasons: string[] = [];
    if (!input.isSpam) {
      if (ruleTop && modelCategory.label !== ruleTop && modelCategory.confidence >= 0.7 && primaryHits <= 1) {
        escalationReasons.push(`rules (${ruleTop}) and model (${modelCategory.label}) disagree`);
      }
      if (confidence < threshold)
        escalationReasons.push(`confidence ${round(confidence)} under ${threshold}`);
      const intentCues = ['return_request', 'question', 'suggestion'].filter((name) =>
        findings.intents.has(name),
      );
      if (intentCues.length >= 2) escalationReasons.push(`several intents: ${intentCues.join(', ')}`);
    }
    const method = input.isSpam || findings.hazards.length > 0 || primaryHits > 0 ? 'rules' : 'model';
    const classification = assemble(
      candidates,
      confidence,
      method,
      findings.ruleIds,
      [...reasons, ...escalationReasons],
      text,
      null,
    );
    return { classification, candidates, escalationReasons, findings };
  }

  /** The LLM's labels, within the local path's guard rails. */
  function mergeLlm(
    local: LocalOutcome,
    labels: LlmLabels,
    text: string,
    promptVersion: string,
  ): Classification {
    // The LLM may raise severity, never lower a safety finding.
    const severity: Severity = local.findings.hazards.length > 0 ? 'critical' : labels.severity;
    const merged: CandidateLabels = {
      sentiment: {
        label: labels.sentiment,
        score: round(clamp(labels.sentimentScore, -1, 1)),
        confidence: 0.85,
      },
      primaryCategory: categoryIds.includes(labels.primaryCategory)
        ? labels.primaryCategory
        : local.candidates.primaryCategory,
      secondaryCategories: labels.secondaryCategories
        .filter((category) => categoryIds.includes(category) && category !== labels.primaryCategory)
        .slice(0, 3),
      component:
        labels.component && taxonomy.components.some((component) => component.id === labels.component)
          ? labels.component
          : local.candidates.component,
      severity,
      intent: local.candidates.intent === 'spam' ? 'spam' : labels.intent,
    };
    const agrees =
      merged.primaryCategory === local.candidates.primaryCategory ||
      merged.sentiment.label === local.candidates.sentiment.label;
    const reasons = [...local.escalationReasons.map((reason) => `escalated: ${reason}`)];
    if (local.findings.hazards.length > 0) reasons.push(`safety: ${local.findings.hazards.join(', ')}`);
    if (labels.injectionSuspected) reasons.push('review text contained instructions; treated as data');
    return assemble(
      merged,
      agrees ? 0.85 : 0.7,
      'llm',
      local.findings.ruleIds,
      reasons,
      text,
      promptVersion,
      labels.summary,
    );
  }

  const noUsage: LlmUsage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };

  async function classify(input: ClassifyInput): Promise<ClassifierOutcome> {
    const local = classifyLocal(input);
    if (!llm || local.escalationReasons.length === 0) return { ...local, llm: null };
    const text = input.title ? `${input.title}. ${input.text}` : input.text;
    const answer = await llm.classify({
      text,
      language: input.language,
      rating: input.rating,
      npsScore: input.npsScore,
      candidates: local.candidates,
    });
    if (!answer.ok) {
      const classification = {
        ...local.classification,
        provenance: {
          ...local.classification.provenance,
          reasons: [...local.classification.provenance.reasons, `llm fallback: ${answer.reason}`],
        },
      };
      return {
        ...local,
        classification,
        llm: {
          attempted: true,
          used: false,
          cached: false,
          usage: answer.usage ?? noUsage,
          fallbackReason: answer.reason,
        },
      };
    }
    const labels = answer.labels;
    const disagrees =
      labels.primaryCategory !== local.candidates.primaryCategory ||
      labels.sentiment !== local.candidates.sentiment.label;
    if (labels.injectionSuspected && disagrees) {
      // The review tried to instruct the model and the answer moved away from the local labels:
      // the answer may have been steered, so the auditable local result stands.
      const reasons = [
        ...local.classification.provenance.reasons,
        'llm: review text contained instructions; local labels kept',
      ];
      return {
        ...local,
        classification: {
          ...local.classification,
          provenance: { ...local.classification.provenance, reasons },
        },
        llm: {
          attempted: true,
          used: false,
          cached: answer.cached,
          usage: answer.usage,
          fallbackReason: 'injection suspected',
        },
      };
    }
    return {
      ...local,
      classification: mergeLlm(local, labels, text, llm.promptVersion),
      llm: { attempted: true, used: true, cached: answer.cached, usage: answer.usage },
    };
  }

  return {
    modelVersion: model.version,
    rulesVersion: rules.version,
    promptVersion: llm?.promptVersion ?? null,
    classifyLocal,
    classify,
  };
}
