import { annotationOptionPromises, describeFormatSuite, visionPrepareSample } from '@lsconv/testkit';
import { voc } from './index.js';

describeFormatSuite(voc, {
  // File names come from the images: task and annotation ids are not written.
  // --annotation latest by default; with --compat python the oldest annotation's file
  // replaces the others, which the report lists.
  promises: { taskIds: false, annotationIds: false, ...annotationOptionPromises('oldest') },
  prepareSamples: [visionPrepareSample()],
});
