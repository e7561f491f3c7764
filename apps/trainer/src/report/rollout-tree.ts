import type { SampledGroupFile, SampledSegment, SampledTrajectory } from '../run-files.js';
import { attrs, dataNumber, escapeHtml, preview } from './html.js';
import { formatCount, formatNumber, formatSigned } from './format.js';

/** One trajectory placed in the tree drawing. */
export interface TreeNode {
  trajectory: SampledTrajectory;
  /** Index in the group's `trajectories`. */
  index: number;
  /** Index of the parent trajectory, or null for a root (a global or refill sample, or an unknown parent). */
  parent: number | null;
  /** 1 for roots (the prompt is depth 0), parent's depth + 1 for branches. */
  depth: number;
  /** Row of the drawing (pre-order: a node comes right before its subtree). */
  row: number;
  /** Branch decision in the parent that spawned this node: the parent's model segment and its probability. */
  branchSegment: number | null;
  branchProbability: number | null;
  children: number[];
}

/**
 * Lays a group's trajectories out as a tree: roots in file order, each followed by its branches (ordered by
 * branch point). A branch's segment and probability come from the parent's model segment whose
 * `branch.children` lists it. Unknown parents and cycles never lose a node: such trajectories become roots.
 */
export function layoutTree(trajectories: SampledTrajectory[]): TreeNode[] {
  const indexById = new Map<string, number>();
  trajectories.forEach((t, i) => {
    if (!indexById.has(t.id)) indexById.set(t.id, i);
  });
  const nodes: TreeNode[] = trajectories.map((trajectory, index) => {
    const p = trajectory.parentId === null ? undefined : indexById.get(trajectory.parentId);
    const parent = p !== undefined && p !== index ? p : null;
    let branchSegment: number | null = null;
    let branchProbability: number | null = null;
    if (parent !== null) {
      trajectories[parent]?.segments.forEach((s, si) => {
        if (branchSegment === null && s.kind === 'model' && s.branch?.children.includes(trajectory.id)) {
          branchSegment = si;
          branchProbability = s.branch.probability;
        }
      });
    }
    return { trajectory, index, parent, depth: 1, row: 0, branchSegment, branchProbability, children: [] };
  });
  for (const node of nodes) if (node.parent !== null) nodes[node.parent]?.children.push(node.index);
  for (const node of nodes) {
    node.children.sort((a, b) => (nodes[a]?.trajectory.branchPoint ?? Infinity) - (nodes[b]?.trajectory.branchPoint ?? Infinity) || a - b);
  }

  const order: number[] = [];
  const visited = new Set<number>();
  const visit = (i: number, depth: number) => {
    const node = nodes[i];
    if (!node || visited.has(i)) return;
    visited.add(i);
    node.depth = depth;
    node.row = order.length;
    order.push(i);
    for (const c of node.children) visit(c, depth + 1);
  };
  for (const node of nodes) if (node.parent === null) visit(node.index, 1);
  // Cycles (a → b → a): break them by promoting the first unvisited node to a root.
  for (const node of nodes) {
    if (visited.has(node.index)) continue;
    const parent = node.parent === null ? undefined : nodes[node.parent];
    if (parent) parent.children = parent.children.filter((c) => c !== node.index);
    node.parent = null;
    visit(node.index, 1);
  }
  return order.map((i) => nodes[i]!);
}

const ROW = 30;
const COL = 92;
const PAD = 14;
const LABEL_WIDTH = 330;

/**
 * The viewer of one sampled group: question and gold answers, the tree drawing (click a node to open its
 * trajectory), and one collapsible card per trajectory listing its segments: model segments with entropy, ΔH,
 * branch probability and children; tool calls and results (collapsible text); reward and correctness.
 * `key` makes the element ids unique within the page.
 */
export function renderGroupView(group: SampledGroupFile, key: string, runLabel: string): string {
  const nodes = layoutTree(group.trajectories);
  const anchor = (index: number) => `${key}-t${index}`;
  const correct = group.trajectories.filter((t) => t.correct).length;
  const branches = group.trajectories.filter((t) => t.origin === 'branch').length;
  const meanReward = group.trajectories.length
    ? group.trajectories.reduce((s, t) => s + t.reward, 0) / group.trajectories.length
    : null;

  const head =
    `<div class="group-head"><p><strong>${escapeHtml(runLabel)}</strong> · step ${group.step} · ${escapeHtml(group.algorithm.toUpperCase())} · prompt <code>${escapeHtml(group.promptId)}</code></p>` +
    `<p class="question" data-testid="group-question">${escapeHtml(group.question)}</p>` +
    `<p>Gold: ${group.gold.map((g) => `<code>${escapeHtml(g)}</code>`).join(' · ') || '—'}</p>` +
    `<p data-testid="group-stats">${group.trajectories.length} trajectories (${branches} branched) · ${correct} correct · mean reward ${escapeHtml(formatNumber(meanReward))}</p>` +
    `<details class="text"><summary>Prompt (${escapeHtml(formatCount(group.prompt.length))} characters)</summary><pre>${escapeHtml(group.prompt)}</pre></details></div>`;

  return `${head}${renderTreeSvg(nodes, anchor)}<div class="trajectories">${nodes.map((n) => renderTrajectoryCard(n, nodes, anchor)).join('')}</div>`;
}

function renderTreeSvg(nodes: TreeNode[], anchor: (index: number) => string): string {
  const byIndex = new Map(nodes.map((n) => [n.index, n]));
  const maxDepth = Math.max(1, ...nodes.map((n) => n.depth));
  const width = PAD * 2 + maxDepth * COL + LABEL_WIDTH;
  const height = PAD * 2 + nodes.length * ROW + 12;
  const x = (depth: number) => PAD + depth * COL;
  const y = (row: number) => PAD + (row + 1) * ROW; // row −1 is the prompt
  let svg = `<svg${attrs({ class: 'tree', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': 'rollout tree', 'data-testid': 'tree-svg' })}>`;
  // Edges: the prompt to every root, each parent to its branches (an elbow from the parent's column).
  for (const n of nodes) {
    const parent = n.parent === null ? null : byIndex.get(n.parent);
    const px = parent ? x(parent.depth) : x(0);
    const py = parent ? y(parent.row) : y(-1);
    svg += `<path class="edge${parent ? ' branch-edge' : ''}" d="M${px} ${py}V${y(n.row)}H${x(n.depth)}"/>`;
    if (parent) {
      const label = `P=${formatNumber(n.branchProbability, 2)} @${n.trajectory.branchPoint ?? '?'}`;
      svg += `<text class="edge-label" x="${px + 4}" y="${y(n.row) - 5}">${escapeHtml(label)}</text>`;
    }
  }
  svg += `<g class="node prompt"><rect x="${x(0) - 7}" y="${y(-1) - 7}" width="14" height="14" rx="3"/><text x="${x(0) + 12}" y="${y(-1) + 4}">prompt</text></g>`;
  for (const n of nodes) {
    const t = n.trajectory;
    const label = `${t.id} · r=${formatNumber(t.reward, 2)} ${t.correct ? '✓' : '✗'} · ${t.toolCalls} tool call${t.toolCalls === 1 ? '' : 's'} · ${t.origin}`;
    svg +=
      `<g${attrs({
        class: `node ${t.correct ? 'correct' : 'wrong'}`,
        'data-testid': 'tree-node',
        'data-trajectory-id': t.id,
        'data-parent-id': n.parent === null ? '' : (byIndex.get(n.parent)?.trajectory.id ?? ''),
        'data-origin': t.origin,
        'data-depth': n.depth,
        'data-leaf': String(n.children.length === 0),
        'data-reward': dataNumber(t.reward),
        'data-correct': String(t.correct),
        'data-branch-point': dataNumber(t.branchPoint),
        'data-branch-probability': dataNumber(n.branchProbability),
        'data-target': anchor(n.index),
        tabindex: 0,
        role: 'button',
      })}>` +
      `<circle cx="${x(n.depth)}" cy="${y(n.row)}" r="7"/>` +
      `<text x="${x(n.depth) + 12}" y="${y(n.row) + 4}">${escapeHtml(label)}</text>` +
      `<title>${escapeHtml(nodeTooltip(t))}</title></g>`;
  }
  return `<div class="tree-wrap">${svg}</svg></div>`;
}

function nodeTooltip(t: SampledTrajectory): string {
  const entropies = t.segments
    .filter((s): s is Extract<SampledSegment, { kind: 'model' }> => s.kind === 'model')
    .map((s) => `H ${formatNumber(s.entropy, 2)} (ΔH ${formatSigned(s.deltaH, 2)})${s.branch ? ` P ${formatNumber(s.branch.probability, 2)}` : ''}`);
  return (
    `${t.id}: ${t.origin}${t.parentId ? ` from ${t.parentId} at token ${t.branchPoint ?? '?'}` : ''}, finish ${t.finishReason}, ` +
    `reward ${formatNumber(t.reward)}, advantage ${formatSigned(t.advantage)}\nmodel segments: ${entropies.join(' → ') || 'none'}\n(click for details)`
  );
}

function renderTrajectoryCard(node: TreeNode, nodes: TreeNode[], anchor: (index: number) => string): string {
  const t = node.trajectory;
  const parent = node.parent === null ? null : nodes.find((n) => n.index === node.parent);
  const link = (n: TreeNode) => `<a${attrs({ href: `#${anchor(n.index)}`, 'data-target': anchor(n.index) })}>${escapeHtml(n.trajectory.id)}</a>`;
  const origin = parent
    ? `${escapeHtml(t.origin)} of ${link(parent)} at token ${escapeHtml(t.branchPoint ?? '?')}` +
      (node.branchProbability !== null ? ` (P = ${escapeHtml(formatNumber(node.branchProbability))})` : '')
    : escapeHtml(t.origin);
  const summary =
    `<summary><span class="badge ${t.correct ? 'correct' : 'wrong'}" data-testid="trajectory-outcome">${t.correct ? '✓ correct' : '✗ wrong'}</span> ` +
    `<strong>${escapeHtml(t.id)}</strong> · ${origin} · reward <span data-testid="trajectory-reward">${escapeHtml(formatNumber(t.reward))}</span>` +
    ` · advantage ${escapeHtml(formatSigned(t.advantage))} · ${t.toolCalls} tool calls · finish: ${escapeHtml(t.finishReason)}</summary>`;

  let offset = 0;
  const items = t.segments
    .map((segment, si) => {
      const start = offset;
      offset += segment.tokens;
      const shared = t.branchPoint !== null && node.parent !== null && offset <= t.branchPoint;
      return renderSegment(segment, si, t.segments[si + 1], { start, shared }, nodes, link);
    })
    .join('');
  return (
    `<details${attrs({ class: 'trajectory', id: anchor(node.index), 'data-testid': 'trajectory', 'data-trajectory-id': t.id, 'data-reward': dataNumber(t.reward), 'data-correct': String(t.correct) })}>` +
    `${summary}<ol class="segments">${items}</ol></details>`
  );
}

function renderSegment(
  segment: SampledSegment,
  index: number,
  next: SampledSegment | undefined,
  where: { start: number; shared: boolean },
  nodes: TreeNode[],
  link: (n: TreeNode) => string,
): string {
  const common = {
    'data-testid': 'segment',
    'data-kind': segment.kind,
    'data-segment-index': index,
    'data-tokens': segment.tokens,
    class: `segment ${segment.kind}${where.shared ? ' shared' : ''}`,
  };
  const sharedNote = where.shared ? ' · <em>shared prefix</em>' : '';
  const tokens = `tokens ${where.start}–${where.start + segment.tokens}`;
  if (segment.kind === 'model') {
    let meta = `model · ${tokens} · H <span data-testid="segment-entropy">${escapeHtml(formatNumber(segment.entropy))}</span> · ΔH <span data-testid="segment-delta-h">${escapeHtml(formatSigned(segment.deltaH))}</span>`;
    if (segment.branch) {
      const children = segment.branch.children
        .map((id) => {
          const child = nodes.find((n) => n.trajectory.id === id);
          return child ? link(child) : `<code>${escapeHtml(id)}</code>`;
        })
        .join(', ');
      meta +=
        ` · <span class="branch" data-testid="branch-probability"${attrs({ 'data-value': dataNumber(segment.branch.probability) })}>branch P = ${escapeHtml(formatNumber(segment.branch.probability))}</span>` +
        ` · ${segment.branch.attempts} attempt${segment.branch.attempts === 1 ? '' : 's'}` +
        ` → <span data-testid="branch-children">${children || 'no branch taken'}</span>`;
    }
    const call = next?.kind === 'tool-result' ? extractToolCall(segment.text, next.tool) : null;
    const callHtml = call
      ? `<div class="call" data-testid="tool-call"><span class="tag">${escapeHtml(call.tag)}</span><code>${escapeHtml(call.body)}</code></div>`
      : '';
    return (
      `<li${attrs({ ...common, 'data-entropy': dataNumber(segment.entropy), 'data-delta-h': dataNumber(segment.deltaH), 'data-branch-probability': dataNumber(segment.branch?.probability) })}>` +
      `<div class="meta">${meta}${sharedNote}</div>${callHtml}${textBlock(segment.text)}</li>`
    );
  }
  if (segment.kind === 'tool-result') {
    return (
      `<li${attrs({ ...common, 'data-tool': segment.tool, 'data-status': segment.status })}>` +
      `<div class="meta">tool result · <strong>${escapeHtml(segment.tool)}</strong> · ${escapeHtml(segment.status)} · ${tokens}${sharedNote}</div>${textBlock(segment.text)}</li>`
    );
  }
  return (
    `<li${attrs({ ...common, 'data-reason': segment.reason })}>` +
    `<div class="meta">injected · ${escapeHtml(segment.reason)} · ${tokens}${sharedNote}</div>${textBlock(segment.text)}</li>`
  );
}

/** A collapsible text: a one-line preview that opens to the full text. */
function textBlock(text: string): string {
  return `<details class="text"><summary>${escapeHtml(preview(text) || '(empty)')}</summary><pre data-testid="segment-text">${escapeHtml(text)}</pre></details>`;
}

/**
 * The tool call at the end of a model segment: the last `<tool>…</tool>` tag (e.g. `<search>query</search>`),
 * else the last tag pair of any name; null when the text has none.
 */
export function extractToolCall(text: string, tool: string): { tag: string; body: string } | null {
  const named = tool.replace(/[^A-Za-z0-9_-]/g, '');
  if (named) {
    const open = `<${named}>`;
    const start = text.lastIndexOf(open);
    const end = start >= 0 ? text.indexOf(`</${named}>`, start + open.length) : -1;
    if (start >= 0 && end >= 0) return { tag: named, body: text.slice(start + open.length, end).trim() };
  }
  const matches = [...text.matchAll(/<([A-Za-z_][\w-]*)>([\s\S]*?)<\/\1>/g)];
  const last = matches[matches.length - 1];
  return last && last[1] !== undefined && last[2] !== undefined ? { tag: last[1], body: last[2].trim() } : null;
}
