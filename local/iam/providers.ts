import { LOCAL_ACCOUNT_ID } from '../account.js';
import { IamError, mergeTags, NoSuchEntityError, validationError } from './model.js';
import type { OidcProvider, Tag } from './model.js';
import { IamRecords } from './records.js';

/** Local IAM's OpenID Connect providers, which STS's AssumeRoleWithWebIdentity trusts. */
export abstract class OidcProviderStore extends IamRecords {
  /** Registers an OIDC provider; its ARN names the URL without `https://`. */
  async createOpenIdConnectProvider(input: {
    url: string;
    clientIds?: string[];
    thumbprints?: string[];
    tags?: Tag[];
  }): Promise<OidcProvider> {
    let host: string;
    try {
      const parsed = new URL(input.url);
      if (parsed.protocol !== 'https:') throw new Error('not https');
      host = `${parsed.host}${parsed.pathname}`.replace(/\/$/, '');
    } catch {
      throw validationError(input.url, 'url', 'Member must be an https:// URL');
    }
    for (const thumbprint of input.thumbprints ?? []) {
      if (!/^[0-9a-fA-F]{40}$/.test(thumbprint))
        throw validationError(thumbprint, 'thumbprintList', 'Member must have length 40');
    }
    const providerArn = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:oidc-provider/${host}`;
    if (this.state.providers.some((provider) => provider.arn === providerArn))
      throw new IamError(
        'EntityAlreadyExists',
        `Provider with url ${input.url} already exists.`,
        409,
      );
    const provider: OidcProvider = {
      arn: providerArn,
      url: host,
      clientIds: input.clientIds ?? [],
      thumbprints: input.thumbprints ?? [],
      created: this.now(),
      tags: mergeTags([], input.tags ?? []),
    };
    this.state.providers.push(provider);
    await this.save();
    return provider;
  }

  /** The provider an ARN names, or {@link NoSuchEntityError}. */
  getOpenIdConnectProvider(providerArn: string): OidcProvider {
    const provider = this.state.providers.find((p) => p.arn === providerArn);
    if (!provider)
      throw new NoSuchEntityError(`OpenIDConnect Provider not found for arn ${providerArn}`);
    return provider;
  }

  /** The provider registered for a token issuer (`iss`), if any. */
  providerForIssuer(issuer: string): OidcProvider | undefined {
    const host = issuer.replace(/^https:\/\//, '').replace(/\/$/, '');
    return this.state.providers.find((provider) => provider.url === host);
  }

  /** Every provider. */
  listOpenIdConnectProviders(): OidcProvider[] {
    return [...this.state.providers];
  }

  /** Deletes a provider. */
  async deleteOpenIdConnectProvider(providerArn: string): Promise<void> {
    const provider = this.getOpenIdConnectProvider(providerArn);
    this.state.providers = this.state.providers.filter((p) => p !== provider);
    await this.save();
  }
}
