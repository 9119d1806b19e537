/**
 * How Kubernetes reads a DNS label written into a manifest as a plain (unquoted) YAML scalar. Helm's client, and
 * anything else that applies YAML, converts it to JSON with sigs.k8s.io/yaml, which decodes with go-yaml v2: YAML
 * 1.1 scalar resolution (https://github.com/kubernetes-sigs/yaml/blob/master/yaml.go,
 * https://github.com/go-yaml/yaml/blob/v2.4.0/resolve.go). Among DNS labels (lowercase letters, digits, '-') that
 * makes booleans of y, yes, n, no, on, off, true and false, null of null, and numbers of decimal, 0x, 0o, 0b and
 * leading-zero octal integers and of floats such as 1e3 or 1e-3. The API server then rejects the value where it
 * wants a string (`must be of type string`).
 */
const READINGS: readonly (readonly [RegExp, string])[] = [
    [/^(y|yes|n|no|on|off|true|false)$/, "a boolean"],
    [/^null$/, "null"],
    [/^([0-9]+|0x[0-9a-f]+|0o[0-7]+|0b[01]+|[0-9]+e-?[0-9]+)$/, "a number"],
];

/** What a DNS label reads as when written unquoted into YAML Kubernetes parses ("a boolean", ...), or undefined for a string. */
export function unquotedYamlReading(label: string): string | undefined {
    return READINGS.find(([pattern]) => pattern.test(label))?.[1];
}
