import { describe, expect, it } from 'vitest';
import { connectOrStartLocalAws, LocalAwsMismatchError } from '../../../scripts/start/localAws.js';
import { useLocalAws } from '../../support/localAws.js';

describe('connectOrStartLocalAws', () => {
  const local = useLocalAws({ timeScale: 12 });

  it('reuses a local AWS already running at the time scale asked for, and leaves it running', async () => {
    const port = local.instance().port;

    const reused = await connectOrStartLocalAws({
      port,
      stateDir: '/nonexistent',
      timeScale: 12,
      every: 5,
    });
    await reused.stop();

    expect(reused.owned).toBe(false);
    expect((await fetch(`${local.endpoint()}/_local/health`)).status).toBe(200);
  });

  it('refuses one running at another time scale, saying which --time-scale would do', async () => {
    const port = local.instance().port;

    const connecting = connectOrStartLocalAws({
      port,
      stateDir: '/nonexistent',
      timeScale: 60,
      every: 1,
    });

    await expect(connecting).rejects.toThrow(LocalAwsMismatchError);
    await expect(connecting).rejects.toThrow(
      /runs at time scale 12, but --every 1 needs 60; .*--time-scale 60/,
    );
  });
});
