import type { FormatPromises, SampleCase } from './types.js';

/**
 * A vision sample for the prepare-parity check of image formats: labels outside the
 * config in tasks 0 and 2, an image name two tasks share, skips in several tasks, a box
 * reaching outside the image, a rotated box without image size (converted in `export`),
 * and with `keypoints` a fifth task with a keypoint without parent.
 */
export function visionPrepareSample(options: { keypoints?: boolean } = {}): SampleCase {
  let regionId = 0;
  const box = (label: string, x: number, extra: Record<string, unknown> = {}, sized = true) => ({
    id: `r${regionId++}`,
    from_name: 'label',
    to_name: 'image',
    type: 'rectanglelabels',
    ...(sized ? { original_width: 200, original_height: 100 } : {}),
    value: { x, y: 10, width: 20, height: 30, rotation: 0, rectanglelabels: [label], ...extra },
  });
  const choice = () => ({
    id: `c${regionId++}`,
    from_name: 'quality',
    to_name: 'image',
    type: 'choices',
    value: { choices: ['Blurry'] },
  });
  const keypoint = () => ({
    id: `k${regionId++}`,
    from_name: 'kp',
    to_name: 'image',
    type: 'keypointlabels',
    original_width: 200,
    original_height: 100,
    value: { x: 50, y: 50, width: 1, keypointlabels: ['nose'] },
  });
  const task = (id: number, image: string, result: unknown[]) => ({
    id,
    data: { image },
    annotations: [{ id: id * 10, completed_by: 1, result }],
  });
  const tasks = [
    task(1, '/data/upload/1/a.jpg', [box('Truck', 10), choice()]),
    task(2, '/data/upload/1/b.jpg', [box('Car', 95)]),
    task(3, '/data/upload/1/a.jpg', [box('Bike', 10), box('Truck', 40), choice()]),
    task(4, '/data/upload/1/c.jpg', [box('Car', 10, { rotation: 30 }, false)]),
  ];
  if (options.keypoints)
    tasks.push(task(5, '/data/upload/1/d.jpg', [box('Car', 10), keypoint(), box('Bike', 30)]));
  const config = [
    '<View>',
    '  <Image name="image" value="$image"/>',
    '  <RectangleLabels name="label" toName="image"><Label value="Car"/></RectangleLabels>',
    ...(options.keypoints
      ? ['  <KeyPointLabels name="kp" toName="image"><Label value="nose" model_index="0"/></KeyPointLabels>']
      : []),
    '  <Choices name="quality" toName="image"><Choice value="Blurry"/></Choices>',
    '</View>',
  ].join('\n');
  return { config, tasks };
}

/**
 * What the vision formats' `--annotation` option (default `latest`) promises for a task
 * with several annotators: the latest annotation, the others reported; under `--compat
 * python`, what the Python converter does (`all` for COCO, `oldest` where one file per
 * image is rewritten by every annotation: VOC, YOLO).
 */
export function annotationOptionPromises(
  python: 'all' | 'oldest',
): Pick<FormatPromises, 'annotators' | 'inCompat'> {
  return { annotators: 'latest', inCompat: { python: { annotators: python } } };
}
