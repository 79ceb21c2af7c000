// Evaluations: corpus BLEU of a model on a dataset split with chosen decode settings, computed by the service with
// the ONNX models, and two runs compared side by side.
import type { Metadata } from 'next';
import { AdminTokenField } from '@/components/admin-token-field';
import { EvaluationConsole } from '@/components/evaluation-console';
import { MetricAgreementTable } from '@/components/metric-agreement-table';
import { ServiceError } from '@/components/service-error';
import { graphql } from '@/generated';
import type { EvaluationsPageQuery } from '@/generated/graphql';
import { serverQuery } from '@/lib/server-graphql';

export const metadata: Metadata = { title: 'Evaluations' };

const QUERY = graphql(`
  query EvaluationsPage {
    models {
      ...ModelChoiceFields
    }
    datasets {
      ...DatasetFields
    }
    evaluationRuns(first: 50) {
      ...EvaluationRunFields
    }
    metricHumanAgreement {
      ...MetricHumanAgreementFields
    }
  }
`);

export default async function EvaluationsPage() {
  let data: EvaluationsPageQuery;
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
          Corpus BLEU-1..4, CIDEr-D and ROUGE-L over every image of a split that has reference captions, decoded here by
          the shipped models. Captions made earlier with the same settings are reused. Compare two finished runs below.
        </p>
        <AdminTokenField />
      </div>
      <EvaluationConsole models={data.models} datasets={data.datasets} initialRuns={data.evaluationRuns} />
      <section className="panel" aria-labelledby="agreement-heading">
        <h2 id="agreement-heading">Which metric agrees with people?</h2>
        <p className="muted small">
          How well each automatic metric ranks captions the way people do, on Flickr8k’s expert and crowd judgements
          (computed offline with this project’s metrics; CIDEr-D agrees best).
        </p>
        <MetricAgreementTable agreement={data.metricHumanAgreement} />
      </section>
    </>
  );
}
