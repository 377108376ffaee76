//! The architecture modes: what each of CRUD, CQRS and CQRS + ES can and cannot do.

use cqrs_lab::engine::modes::ArchitectureMode;

#[test]
fn only_event_sourcing_keeps_an_audit_trail_rebuilds_and_time_travels() {
    for mode in ArchitectureMode::ALL {
        let c = mode.capabilities();
        let es = mode == ArchitectureMode::CqrsWithEventSourcing;
        assert_eq!(c.audit_trail.available, es, "{mode:?}");
        assert_eq!(c.rebuild_read_models.available, es, "{mode:?}");
        assert_eq!(c.time_travel.available, es, "{mode:?}");
    }
}

#[test]
fn only_crud_reads_its_own_writes_and_only_cqrs_scales_reads_independently() {
    for mode in ArchitectureMode::ALL {
        let c = mode.capabilities();
        let crud = mode == ArchitectureMode::Crud;
        assert_eq!(c.read_your_writes.available, crud, "{mode:?}");
        assert_eq!(c.independent_read_scaling.available, !crud, "{mode:?}");
    }
}

#[test]
fn crud_is_advised_for_simple_low_volume_systems() {
    assert!(ArchitectureMode::Crud
        .when_to_use()
        .contains("over-engineering"));
    assert!(ArchitectureMode::CqrsWithEventSourcing
        .when_to_use()
        .contains("audit trail"));
}
