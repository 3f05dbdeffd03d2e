"""Every write to community records is audited (who changed what, when)."""

from auditlog.registry import auditlog

from familyreach.community import models

for model in (
    models.PeerSupporter,
    models.Reference,
    models.DbsCheck,
    models.TrainingRecord,
    models.SupervisionSession,
    models.PeerSupportRequest,
    models.Match,
    models.CheckIn,
    models.Concern,
    models.ConcernDecision,
    models.CommunityGroup,
    models.GroupLeader,
    models.StartUpHelp,
    models.Room,
    models.RoomBooking,
):
    auditlog.register(model)
