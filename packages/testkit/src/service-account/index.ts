export { createServiceAccountIssuer, type IssuerAlg, type ServiceAccountIssuer, type ServiceAccountTokenOptions, serviceAccountClaims } from './issuer';
export { type AdminVault, type ServiceAccountAuthOptions, setUpServiceAccountAuth } from './vault-auth';
