/**
 * "Did you mean …?" for config keys and regions: the known names closest to a misspelt one, by optimal string
 * alignment distance (insertions, deletions, substitutions and swaps of two neighbouring characters), ignoring case.
 */

export function editDistance(a: string, b: string): number {
    const s = a.toLowerCase();
    const t = b.toLowerCase();
    // d[i][j]: distance between the first i characters of s and the first j of t.
    const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
    for (let j = 1; j <= t.length; j++) {
        d[0][j] = j;
    }
    for (let i = 1; i <= s.length; i++) {
        for (let j = 1; j <= t.length; j++) {
            const cost = s[i - 1] === t[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
                d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[s.length][t.length];
}

/** How far a name may be from a known one to be offered as a suggestion: more slack for longer names. */
export function maxSuggestionDistance(name: string): number {
    return name.length <= 4 ? 1 : name.length <= 10 ? 2 : 3;
}

/**
 * The known names nearest to `name` (at most two, ties in the order given), or none when even the nearest is further
 * than `maxDistance`.
 */
export function closest(name: string, known: readonly string[], maxDistance = maxSuggestionDistance(name)): string[] {
    let best = Infinity;
    let found: string[] = [];
    for (const candidate of known) {
        const distance = editDistance(name, candidate);
        if (distance < best) {
            best = distance;
            found = [candidate];
        } else if (distance === best && !found.includes(candidate)) {
            found.push(candidate);
        }
    }
    return best <= maxDistance ? found.slice(0, 2) : [];
}

/** "did you mean a?" or "did you mean a or b?", or "" without suggestions. */
export function didYouMean(suggestions: readonly string[]): string {
    return suggestions.length === 0 ? "" : `did you mean ${suggestions.join(" or ")}?`;
}
