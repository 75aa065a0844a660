/** Who an integration call acts for: one API key of one company. Set by IntegrationKeyGuard. */
export interface IntegrationPrincipal {
  companyId: number;
  keyId: number;
}
