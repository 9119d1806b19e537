/** A grant, policy or condition form the access evaluators cannot judge: a test built on them fails, never passes. */
export class UnsupportedGrant extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UnsupportedGrant";
    }
}
