import { createHash } from "crypto";
import type * as mocks from "../../../lib/plan/mocks";
import type { Json } from "../../../lib/plan/wire";

/**
 * What Google Cloud would report for the HTTPS endpoint's resources (Certificate Manager's DNS authorization and
 * certificates, a global external address), for the tests of components/gcp while lib/plan/mocks.ts answers them
 * with their inputs only. Each test file installs it with
 * `jest.mock("../../../lib/plan/mocks", () => jest.requireActual("./httpsMocks").withGcpHttpsMocks(jest.requireActual("../../../lib/plan/mocks")))`.
 * It only fills what the plan's own mocks leave out, so it stays correct once they answer these types themselves.
 */

/** The external address the mocked global address gets (TEST-NET-3, never routed). */
export const MOCK_GLOBAL_IP = "203.0.113.80";

function digest(text: string, length: number): string {
    return createHash("sha256").update(text).digest("hex").slice(0, length);
}

function str(value: Json | undefined, fallback: string): string {
    return typeof value === "string" && value !== "" ? value : fallback;
}

/** `projects/<p>/locations/<l>/<collection>/<name>`, as Certificate Manager names its resources. */
function certificateManagerId(collection: string, name: string, inputs: { [key: string]: Json }): string {
    return `projects/${str(inputs.project, "mock-project")}/locations/${str(inputs.location, "global")}/${collection}/${str(inputs.name, name)}`;
}

/** The CNAME a PER_PROJECT_RECORD DNS authorization asks for (https://cloud.google.com/certificate-manager/docs/dns-authorizations). */
export function mockValidationRecord(resourceName: string, domain: string): { name: string; type: string; data: string } {
    return {
        name: `_acme-challenge_${digest(`${resourceName}/project`, 16)}.${domain}.`,
        type: "CNAME",
        data: `${digest(`${resourceName}/${domain}`, 8)}-${digest(domain, 4)}.9.authorize.certificatemanager.goog.`,
    };
}

type Outputs = (name: string, inputs: { [key: string]: Json }) => { [key: string]: Json };

const outputs: Record<string, Outputs> = {
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": (name, inputs) => ({
        dnsResourceRecords: [mockValidationRecord(name, str(inputs.domain, "example.com"))],
    }),
    "gcp:compute/globalAddress:GlobalAddress": () => ({ address: MOCK_GLOBAL_IP }),
};

const ids: Record<string, (name: string, inputs: { [key: string]: Json }) => string> = {
    "gcp:certificatemanager/dnsAuthorization:DnsAuthorization": (name, inputs) => certificateManagerId("dnsAuthorizations", name, inputs),
    "gcp:certificatemanager/certificate:Certificate": (name, inputs) => certificateManagerId("certificates", name, inputs),
    "gcp:certificatemanager/certificateMap:CertificateMap": (name, inputs) => certificateManagerId("certificateMaps", name, { ...inputs, location: "global" }),
};

/** The plan's mocks, with what Google Cloud reports for the HTTPS endpoint's resources filled in. */
export function withGcpHttpsMocks(actual: typeof mocks): typeof mocks {
    return {
        ...actual,
        mockResource: (type, name, inputs) => {
            const result = actual.mockResource(type, name, inputs);
            const fill = outputs[type];
            const id = ids[type];
            const generic = result.id === `${str(inputs.name, name)}-id`;
            return {
                id: id !== undefined && generic ? id(name, inputs) : result.id,
                state: { ...(fill ? fill(name, inputs) : {}), ...result.state },
            };
        },
    };
}
