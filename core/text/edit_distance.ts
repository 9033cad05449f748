/**
 * Levenshtein edit distance, for "did you mean …?" suggestions (routes, model names).
 */

/**
 * The number of single-character insertions, deletions and substitutions turning `a` into `b`.
 *
 * @example
 * editDistance("/v1/chat/completion", "/v1/chat/completions"); // 1
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        previous[j] + 1,
        row[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = row;
  }
  return previous[b.length];
}
