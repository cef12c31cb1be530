// GET /api/v1/view's answer, serialized once per pass. At 5,000 Deployments the view is ~15 MiB
// of JSON whose serialization and Secret scrub cost hundreds of ms, while the CLI's polls, `get
// -w` and the dashboard read the same view many times per pass. The text is kept per view object
// (each pass makes a new one) and scrubber generation (a newly learned Secret value re-scrubs);
// the lease, read as of each request, is spliced in. Shell.
import type { ClusterView, LeaseView } from '../model/views.js';
import { type Answer, PreparedJson, prepareJson } from './api-answer.js';

export interface ViewScrubber {
  text(text: string): string;
  readonly generation: number;
}

export class ViewAnswerCache {
  private view: ClusterView | undefined;
  private generation = -1;
  /** The view without its lease and its closing brace, as sent: `{...` in UTF-8. */
  private prepared: Buffer = Buffer.alloc(0);

  answer(view: ClusterView, lease: LeaseView, scrubber: ViewScrubber): Answer {
    if (view !== this.view || scrubber.generation !== this.generation) {
      const { lease: _atPass, ...rest } = view;
      const text = prepareJson(rest, (t) => scrubber.text(t)).parts[0] ?? Buffer.from('{}');
      this.prepared = text.subarray(0, text.length - 1);
      this.view = view;
      this.generation = scrubber.generation;
    }
    const leaseText = prepareJson(lease, (t) => scrubber.text(t)).text;
    const tail = `${this.prepared.length > 1 ? ',' : ''}"lease":${leaseText}}`;
    return { status: 200, body: new PreparedJson([this.prepared, Buffer.from(tail)]) };
  }
}
