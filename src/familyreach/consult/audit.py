"""Every write to consultation records is audited (who changed a response, a code, a quote).

Equality monitoring is deliberately not registered: an audit entry would carry the actor and
a timestamp that could tie an equality return back to the response submitted at that moment.
"""

from auditlog.registry import auditlog

from familyreach.consult import models

for model in (
    models.Consultation,
    models.ConsultationOption,
    models.Question,
    models.Response,
    models.Answer,
    models.Code,
    models.AnswerCode,
    models.Quote,
    models.ResponseFlag,
):
    auditlog.register(model)
