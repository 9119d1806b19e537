/**
 * Every field of every component's Args says what it is (and its unit, default and why it matters where it has
 * them), like pulumi-eks's ClusterOptions: in the platforms' folders, every field of an interface named `...Args`,
 * of the object types written inside it, and of the interfaces of the same file it uses, has a JSDoc comment.
 * The platforms' own Args are the contract's FlytePlatformArgs, checked with them.
 */
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { PROJECT_DIR } from "../helpers/plan";

const FOLDERS = ["components/gcp", "components/aws", "components/local"];
/** Interfaces outside those folders that are their Args. */
const SHARED_ARGS: Readonly<Record<string, readonly string[]>> = { "components/contract/platform.ts": ["FlytePlatformArgs"] };

function parse(file: string, text: string): ts.SourceFile {
    return ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
}

function hasDoc(node: ts.Node): boolean {
    return ts.getJSDocCommentsAndTags(node).some((doc) => ts.isJSDoc(doc) && ts.getTextOfJSDocComment(doc.comment)?.trim());
}

/** The interfaces a type names that are declared in the same file. */
function localInterfaces(type: ts.Node | undefined, interfaces: ReadonlyMap<string, ts.InterfaceDeclaration>): ts.InterfaceDeclaration[] {
    const found: ts.InterfaceDeclaration[] = [];
    const visit = (node: ts.Node): void => {
        if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)) {
            const declared = interfaces.get(node.typeName.text);
            if (declared !== undefined) {
                found.push(declared);
            }
        }
        ts.forEachChild(node, visit);
    };
    if (type !== undefined) {
        visit(type);
    }
    return found;
}

/**
 * Fields without a JSDoc comment, as `file: Interface.field`, in the given interfaces, in object types written in
 * their fields' types, and in the same file's interfaces those fields use.
 */
function undocumentedFields(source: ts.SourceFile, roots: readonly string[]): string[] {
    const interfaces = new Map(source.statements.filter(ts.isInterfaceDeclaration).map((i) => [i.name.text, i] as const));
    const missing: string[] = [];
    const seen = new Set<string>();
    const checkMembers = (owner: string, members: ts.NodeArray<ts.TypeElement>): void => {
        for (const member of members) {
            if (!ts.isPropertySignature(member)) {
                continue;
            }
            const field = `${owner}.${member.name.getText()}`;
            if (!hasDoc(member)) {
                missing.push(`${source.fileName}: ${field}`);
            }
            const visitLiterals = (node: ts.Node): void => {
                if (ts.isTypeLiteralNode(node)) {
                    checkMembers(field, node.members);
                    return;
                }
                ts.forEachChild(node, visitLiterals);
            };
            if (member.type !== undefined) {
                visitLiterals(member.type);
            }
            localInterfaces(member.type, interfaces).forEach(checkInterface);
        }
    };
    const checkInterface = (declaration: ts.InterfaceDeclaration): void => {
        if (!seen.has(declaration.name.text)) {
            seen.add(declaration.name.text);
            checkMembers(declaration.name.text, declaration.members);
        }
    };
    for (const name of roots) {
        const declaration = interfaces.get(name);
        if (declaration === undefined) {
            throw new Error(`${source.fileName}: no interface ${name}`);
        }
        checkInterface(declaration);
    }
    return missing;
}

function argsInterfaces(source: ts.SourceFile): string[] {
    return source.statements.filter(ts.isInterfaceDeclaration).map((i) => i.name.text).filter((n) => n.endsWith("Args"));
}

const files = FOLDERS.flatMap((folder) =>
    fs
        .readdirSync(path.join(PROJECT_DIR, folder))
        .filter((f) => f.endsWith(".ts"))
        .map((f) => `${folder}/${f}`),
);
const sources = new Map(files.map((f) => [f, parse(f, fs.readFileSync(path.join(PROJECT_DIR, f), "utf8"))] as const));

test("finds the components' Args", () => {
    const found = [...sources.values()].flatMap(argsInterfaces);
    expect(found).toEqual(expect.arrayContaining(["GkeClusterArgs", "EksClusterArgs", "LocalMinioArgs", "RdsPostgresArgs"]));
    expect(found.length).toBeGreaterThanOrEqual(15);
});

test.each(files)("%s: every Args field is documented", (file) => {
    const source = sources.get(file) as ts.SourceFile;
    expect(undocumentedFields(source, argsInterfaces(source))).toEqual([]);
});

test.each(Object.entries(SHARED_ARGS))("%s: the platforms' Args are documented", (file, roots) => {
    expect(undocumentedFields(parse(file, fs.readFileSync(path.join(PROJECT_DIR, file), "utf8")), roots)).toEqual([]);
});

describe("the check catches what it is for", () => {
    const check = (text: string) => undocumentedFields(parse("x.ts", text), argsInterfaces(parse("x.ts", text)));

    test("a field without a comment, or with a plain // comment or an empty JSDoc", () => {
        expect(check("interface AArgs {\n/** Documented. */\nreadonly a: string;\nreadonly b: number;\n// not JSDoc\nreadonly c: number;\n/** */\nreadonly d: number; }")).toEqual([
            "x.ts: AArgs.b",
            "x.ts: AArgs.c",
            "x.ts: AArgs.d",
        ]);
    });

    test("a field of an object type written inside, and of an interface of the same file it uses", () => {
        const text = [
            "interface Spec { readonly key: string }",
            "interface BArgs {",
            "  /** APIs. */ readonly apis: { readonly iam: string };",
            "  /** Specs. */ readonly specs: readonly Spec[];",
            "}",
        ].join("\n");
        expect(check(text)).toEqual(["x.ts: BArgs.apis.iam", "x.ts: Spec.key"]);
    });

    test("only interfaces named ...Args, and those they use", () => {
        expect(check("interface Other { readonly a: string }")).toEqual([]);
    });
});
