/** An AWS SDK v3 client class: constructed from a config, holding its own connections. */
type ClientClass<T> = new (config: {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
  forcePathStyle?: boolean;
  requestChecksumCalculation?: 'WHEN_REQUIRED';
}) => T;

/**
 * The SDK clients provisioners call the services with, pointed at local AWS's own gateway: a
 * stack's resources are made by the same requests, validation and errors as any other caller's.
 */
export class Clients {
  private readonly made = new Map<ClientClass<unknown>, unknown>();

  constructor(
    readonly region: string,
    private readonly endpoint: () => string,
  ) {}

  /** The region's client of the given class, made once. */
  get<T>(Client: ClientClass<T>): T {
    let client = this.made.get(Client) as T | undefined;
    if (!client) {
      client = new Client({
        region: this.region,
        endpoint: this.endpoint(),
        credentials: { accessKeyId: 'local-cloudformation', secretAccessKey: 'local' },
        maxAttempts: 1,
        forcePathStyle: true,
        requestChecksumCalculation: 'WHEN_REQUIRED',
      });
      this.made.set(Client, client);
    }
    return client;
  }

  /** Closes every client's connections. */
  destroy(): void {
    for (const client of this.made.values()) (client as { destroy(): void }).destroy();
    this.made.clear();
  }
}
