import {
    DNS1123_LABEL_MAX,
    distinctNamespaces,
    DOMAIN_PLACEHOLDER,
    isDns1123Label,
    isReservedNamespace,
    PROJECT_PLACEHOLDER,
    projectDomainNamespaces,
    renderNamespace,
} from "../../../components/shared/namespaces";

describe("renderNamespace (Flyte's namespace mapping)", () => {
    test("the placeholders are Flyte's exact strings", () => {
        expect(PROJECT_PLACEHOLDER).toBe("{{ project }}");
        expect(DOMAIN_PLACEHOLDER).toBe("{{ domain }}");
    });

    test("replaces {{ project }} and {{ domain }}", () => {
        expect(renderNamespace("{{ project }}-{{ domain }}", "flytesnacks", "development")).toBe(
            "flytesnacks-development",
        );
        expect(renderNamespace("{{ domain }}.{{ project }}", "p", "d")).toBe("d.p");
    });

    test("replaces every occurrence", () => {
        expect(renderNamespace("{{ project }}-{{ project }}-{{ domain }}-{{ domain }}", "p", "d")).toBe("p-p-d-d");
    });

    test("removes {{ org }} (always empty in open-source Flyte)", () => {
        expect(renderNamespace("{{ org }}{{ project }}-{{ domain }}", "p", "d")).toBe("p-d");
        expect(renderNamespace("x{{ org }}y{{ org }}z", "p", "d")).toBe("xyz");
    });

    test("leaves placeholders spelled differently alone", () => {
        expect(renderNamespace("{{project}}-{{domain}}", "p", "d")).toBe("{{project}}-{{domain}}");
        expect(renderNamespace("{{  project }}", "p", "d")).toBe("{{  project }}");
        expect(renderNamespace("{{ Project }}", "p", "d")).toBe("{{ Project }}");
        expect(renderNamespace("{{ .project }}", "p", "d")).toBe("{{ .project }}");
    });

    test("a template without placeholders is the namespace itself", () => {
        expect(renderNamespace("shared", "p", "d")).toBe("shared");
        expect(renderNamespace("", "p", "d")).toBe("");
    });
});

describe("projectDomainNamespaces", () => {
    test("one entry per project × domain, project-major, in config order", () => {
        expect(projectDomainNamespaces(["b", "a"], ["x", "y", "z"], "{{ project }}-{{ domain }}")).toEqual([
            { project: "b", domain: "x", namespace: "b-x" },
            { project: "b", domain: "y", namespace: "b-y" },
            { project: "b", domain: "z", namespace: "b-z" },
            { project: "a", domain: "x", namespace: "a-x" },
            { project: "a", domain: "y", namespace: "a-y" },
            { project: "a", domain: "z", namespace: "a-z" },
        ]);
    });

    test("counts", () => {
        expect(projectDomainNamespaces(["p1", "p2", "p3", "p4"], ["d1", "d2", "d3"], "{{ project }}")).toHaveLength(12);
        expect(projectDomainNamespaces([], ["d"], "{{ project }}")).toEqual([]);
        expect(projectDomainNamespaces(["p"], [], "{{ project }}")).toEqual([]);
    });
});

describe("distinctNamespaces", () => {
    test("keeps every namespace of a template with both placeholders", () => {
        const pairs = projectDomainNamespaces(["a", "b"], ["x", "y"], "{{ project }}-{{ domain }}");
        expect(distinctNamespaces(pairs)).toEqual(["a-x", "a-y", "b-x", "b-y"]);
    });

    test("dedupes in first-seen order", () => {
        expect(distinctNamespaces(projectDomainNamespaces(["a", "b"], ["x", "y", "z"], "{{ project }}"))).toEqual([
            "a",
            "b",
        ]);
        expect(distinctNamespaces(projectDomainNamespaces(["a", "b"], ["z", "x"], "{{ domain }}"))).toEqual([
            "z",
            "x",
        ]);
        expect(distinctNamespaces(projectDomainNamespaces(["a", "b"], ["x", "y"], "shared"))).toEqual(["shared"]);
        expect(distinctNamespaces([])).toEqual([]);
    });
});

describe("isDns1123Label", () => {
    test("the maximum is 63", () => {
        expect(DNS1123_LABEL_MAX).toBe(63);
    });

    test.each([
        ["a", true],
        ["0", true],
        ["a1", true],
        ["1-2", true],
        ["a--b", true],
        ["a".repeat(63), true],
        [`a${"-".repeat(61)}b`, true],
        ["a".repeat(64), false],
        ["", false],
        ["-a", false],
        ["a-", false],
        ["-", false],
        ["A", false],
        ["aB", false],
        ["a_b", false],
        ["a.b", false],
        ["a b", false],
        ["ä", false],
        ["a\n", false],
    ])("%j → %s", (value, expected) => {
        expect(isDns1123Label(value)).toBe(expected);
    });
});

describe("isReservedNamespace", () => {
    test.each([
        ["default", true],
        ["kube-system", true],
        ["kube-public", true],
        ["kube-node-lease", true],
        ["gke-managed-system", true],
        ["gke-gmp-system", true],
        ["kube", false],
        ["gke", false],
        ["defaults", false],
        ["my-default", false],
        ["my-kube-x", false],
        ["flyte", false],
        ["flytesnacks-development", false],
    ])("%s → %s", (namespace, expected) => {
        expect(isReservedNamespace(namespace)).toBe(expected);
    });
});
