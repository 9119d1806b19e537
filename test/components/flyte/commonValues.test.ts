import { defaultEnvVars, escapeForHelmTpl, tplDefaultEnvVars } from "../../../components/flyte/commonValues";

/** Task pods' plain environment as both charts' `tpl`-rendered config sections take it. */

const environment = { AWS_REGION: "eu-central-1", TEMPLATE: "{{ .Values.x }}", BRACES: "a{{b}}c{{d" };

test("tplDefaultEnvVars: one one-entry map per variable, in order, each value escaped for tpl and the names as they are", () => {
    expect(tplDefaultEnvVars(environment)).toEqual([
        { AWS_REGION: "eu-central-1" },
        { TEMPLATE: '{{ "{{" }} .Values.x }}' },
        { BRACES: 'a{{ "{{" }}b}}c{{ "{{" }}d' },
    ]);
});

test("tplDefaultEnvVars is defaultEnvVars with escaped values", () => {
    const plain = defaultEnvVars(environment);
    expect(tplDefaultEnvVars(environment)).toEqual(
        plain.map((entry) => Object.fromEntries(Object.entries(entry).map(([name, value]) => [name, escapeForHelmTpl(value)]))),
    );
    expect(tplDefaultEnvVars({})).toEqual([]);
});
