import { describeFormatSuite, visionPrepareSample } from '@lsconv/testkit';
import { voc } from './index.js';

describeFormatSuite(voc, {
  // File names come from the images; task and annotation ids are not written. By default
  // one annotation per task is exported (--annotation latest); with --compat python the
  // oldest annotation's file replaces the others, which the report lists.
  promises: {
    taskIds: false,
    annotationIds: false,
    annotators: 'latest',
    inCompat: { python: { annotators: 'oldest' } },
  },
  knownBugs: {
    // Bug: with --annotation latest the other annotations of a task are dropped without a report entry.
    'exports a task annotated by several annotators (the latest, the others reported) [compat default]': {
      bug: 'the annotations --annotation leaves out are not reported',
      message: /the two annotations left out are not reported/,
    },
  },
  prepareSamples: [visionPrepareSample()],
});
