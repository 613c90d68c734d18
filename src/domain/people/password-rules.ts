/** How long a password must be (and may be): the contract and the web app's forms read this one rule. */
export const passwordRules = { min: 10, max: 256 } as const;
