/**
 * The derived volumes of the surveys this window has listed, by survey id, as the volumes list, the apply dialog and
 * the compare view show them; and which one's export dialog is open.
 */
import type { Api, VolumeSummary } from '../../../preload/contract';

export class VolumesStore {
  /** Derived volumes of the surveys whose list was loaded, by survey id. */
  bySurvey = $state<Record<string, VolumeSummary[]>>({});
  /** The derived volume whose export dialog is open (from its Export… button or File › Export). */
  exportingId = $state<string | null>(null);
  private loading = false;
  private dirty = false;

  constructor(
    private readonly api: Api,
    /** Runs an API call, turning a failure into a notice (AppState.attempt). */
    private readonly attempt: <T>(what: string, call: () => Promise<T>) => Promise<T | undefined>,
    /** The survey open in the window, whose list follows its apply jobs. */
    private readonly openSurveyId: () => string | null,
  ) {}

  /** An apply job moved: reload the open survey's volumes (one call at a time, the last change always seen). */
  changed(): void {
    const surveyId = this.openSurveyId();
    if (!surveyId) return;
    if (this.loading) {
      this.dirty = true;
      return;
    }
    void this.load(surveyId);
  }

  async load(surveyId: string): Promise<void> {
    this.loading = true;
    try {
      do {
        this.dirty = false;
        const listed = await this.attempt('Listing volumes', () => this.api.volumes.list(surveyId));
        if (listed) this.bySurvey[surveyId] = listed;
      } while (this.dirty);
    } finally {
      this.loading = false;
    }
  }

  /** A volume just started: listed first in its survey's list (replacing the entry it may already have). */
  addFirst(volume: VolumeSummary): void {
    const list = this.bySurvey[volume.surveyId] ?? [];
    this.bySurvey[volume.surveyId] = [volume, ...list.filter((v) => v.id !== volume.id)];
  }

  async remove(volume: VolumeSummary): Promise<void> {
    const done = await this.attempt('Removing the volume', async () => {
      await this.api.volumes.remove(volume.id);
      return true;
    });
    if (!done) return;
    this.bySurvey[volume.surveyId] = (this.bySurvey[volume.surveyId] ?? []).filter((v) => v.id !== volume.id);
  }
}
