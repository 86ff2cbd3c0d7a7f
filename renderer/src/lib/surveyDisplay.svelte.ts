/**
 * A survey's display settings as its views hold them: the saved ones when the project has some, else chosen from the
 * first section shown (amplitudes or another attribute); every later change saved with the survey, a moment after the
 * last one (dragging the gain saves once). Created while a component initialises (it owns an effect).
 */
import type { DisplaySettings, SectionData } from '../../../preload/contract';
import type { AppState } from './appState.svelte';
import { defaultDisplay } from './displaySettings';
import { looksZeroMean } from './sectionMath';

const SAVE_DELAY_MS = 400;

export class SurveyDisplay {
  settings = $state<DisplaySettings>(defaultDisplay(true));
  /** The project's answer has come, with settings (`saved`) or without. */
  private loaded = $state(false);
  private saved = $state(false);
  /** The settings were chosen from a section (no saved ones). */
  private chosen = $state(false);

  constructor(app: AppState, surveyId: string) {
    app.api.survey
      .display(surveyId)
      .then((saved) => {
        if (saved) [this.settings, this.saved] = [saved, true];
        this.loaded = true;
      })
      .catch((error: unknown) => app.notifyError('Reading the display settings', error));

    let timer: ReturnType<typeof setTimeout> | undefined;
    $effect(() => {
      const settings = $state.snapshot(this.settings);
      // Nothing is saved before the saved settings were read, nor a default no section has confirmed yet.
      if (!this.loaded || !(this.saved || this.chosen)) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        app.api.survey.setDisplay(surveyId, settings).catch((error: unknown) => {
          app.notifyError('Saving the display settings', error);
        });
      }, SAVE_DELAY_MS);
    });
  }

  /** Without saved settings, the first section decides: zero-mean amplitudes, or another attribute (velocities). */
  chooseFrom(section: SectionData): void {
    if (this.saved || this.chosen) return;
    this.settings = defaultDisplay(looksZeroMean(section.data, section.traces, section.samples, section.live));
    this.chosen = true;
  }
}
