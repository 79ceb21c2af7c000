// Evaluations: corpus BLEU of a model on a dataset split with chosen decode settings, computed by the service with
// the ONNX models, and two runs compared side by side.
import type { Metadata } from 'next';
import { EvaluationConsole } from '@/components/evaluation-console';
import { ServiceError } from '@/components/service-error';
import { EVALUATION_RUN_FIELDS } from '@/lib/fragments';
import { serverQuery } from '@/lib/server-graphql';
import type { Dataset, EvaluationRun, ModelRef } from '@/lib/types';

export const metadata: Metadata = { title: 'Evaluations' };

const QUERY = /* GraphQL */ `
  query EvaluationsPage {
    models {
      id
      variant
      loaded
      maxLength
    }
    datasets {
      name
      splits {
        split
        images
        withReferences
      }
    }
    evaluationRuns(first: 50) {
      ...EvaluationRunFields
    }
  }
  ${EVALUATION_RUN_FIELDS}
`;

export default async function EvaluationsPage() {
  let data: {
    models: (ModelRef & { loaded: boolean; maxLength: number })[];
    datasets: Dataset[];
    evaluationRuns: EvaluationRun[];
  };
  try {
    data = await serverQuery(QUERY);
  } catch (error) {
    return <ServiceError error={error} />;
  }
  return (
    <>
      <div className="page-heading">
        <h1>Evaluations</h1>
        <p className="muted">
          Corpus BLEU-1..4 over every image of a split that has reference captions, decoded here by the shipped models.
          Captions made earlier with the same settings are reused. Compare two finished runs below.
        </p>
      </div>
      <EvaluationConsole models={data.models} datasets={data.datasets} initialRuns={data.evaluationRuns} />
    </>
  );
}
