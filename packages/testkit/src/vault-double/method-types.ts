/** Settings every role of the token-issuing auth methods has (sdk/helper/tokenutil `TokenParams`); durations in seconds. */
export interface TokenSettings {
  tokenPolicies: string[];
  tokenTtl: number;
  tokenMaxTtl: number;
  tokenBoundCidrs: string[];
}

/** A Kubernetes auth role (vault-plugin-auth-kubernetes path_role.go `roleStorageEntry`). */
export interface KubernetesRole extends TokenSettings {
  boundServiceAccountNames: string[];
  boundServiceAccountNamespaces: string[];
  audience: string;
  aliasNameSource: string;
}

/** A JWT auth role (vault-plugin-auth-jwt path_role.go `jwtRole`); leeways in seconds. */
export interface JwtRole extends TokenSettings {
  roleType: string;
  boundAudiences: string[];
  boundSubject: string;
  boundClaims: Record<string, unknown>;
  boundClaimsType: 'string' | 'glob';
  userClaim: string;
  clockSkewLeeway: number;
  expirationLeeway: number;
  notBeforeLeeway: number;
}

/** Kubernetes auth config (path_config.go `kubeConfig`): `pem_keys` stand in for the TokenReview call (see FIDELITY.md). */
export interface KubernetesConfig {
  kubernetesHost: string;
  kubernetesCaCert: string;
  pemKeys: string[];
  issuer: string;
  disableIssValidation: boolean;
  tokenReviewerJwtSet: boolean;
}

/** JWT auth config (path_config.go `jwtConfig`), the static-key form only. */
export interface JwtConfig {
  jwtValidationPubkeys: string[];
  boundIssuer: string;
  defaultRole: string;
}

/** A role of a `kubernetes` or `jwt` mount, stored under `<mount>/<name>`. */
export type MethodRole = { mount: string; name: string } & ({ type: 'kubernetes'; role: KubernetesRole } | { type: 'jwt'; role: JwtRole });

/** The config of a `kubernetes` or `jwt` mount, stored under the mount path. */
export type MethodConfig = { mount: string } & ({ type: 'kubernetes'; config: KubernetesConfig } | { type: 'jwt'; config: JwtConfig });
