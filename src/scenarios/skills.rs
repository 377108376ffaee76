//! The AZ-305 skills outline ("Designing Microsoft Azure Infrastructure Solutions"):
//! its four areas, their published weights, and the items each question is tagged with.
//! Source: the exam's study guide on Microsoft Learn,
//! <https://learn.microsoft.com/en-us/credentials/certifications/resources/study-guides/az-305>.

use serde::{Deserialize, Serialize};

/// A skills-outline area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Area {
    /// Design identity, governance, and monitoring solutions (25–30 %).
    IdentityGovernanceMonitoring,
    /// Design data storage solutions (20–25 %).
    DataStorage,
    /// Design business continuity solutions (15–20 %).
    BusinessContinuity,
    /// Design infrastructure solutions (30–35 %).
    Infrastructure,
}

impl Area {
    /// Every area, in the outline's order.
    pub const ALL: [Area; 4] = [
        Area::IdentityGovernanceMonitoring,
        Area::DataStorage,
        Area::BusinessContinuity,
        Area::Infrastructure,
    ];

    /// The area's title in the outline.
    pub fn title(self) -> &'static str {
        match self {
            Area::IdentityGovernanceMonitoring => {
                "Design identity, governance, and monitoring solutions"
            }
            Area::DataStorage => "Design data storage solutions",
            Area::BusinessContinuity => "Design business continuity solutions",
            Area::Infrastructure => "Design infrastructure solutions",
        }
    }

    /// The area's share of the exam as published.
    pub fn range(self) -> &'static str {
        match self {
            Area::IdentityGovernanceMonitoring => "25–30 %",
            Area::DataStorage => "20–25 %",
            Area::BusinessContinuity => "15–20 %",
            Area::Infrastructure => "30–35 %",
        }
    }

    /// The area's share of the exam, in tenths of a percent: the middle of the published
    /// range (25–30 % is 275).
    pub fn weight(self) -> u32 {
        match self {
            Area::IdentityGovernanceMonitoring => 275,
            Area::DataStorage => 225,
            Area::BusinessContinuity => 175,
            Area::Infrastructure => 325,
        }
    }
}

/// A group of the outline and its items.
type Group = (&'static str, &'static [&'static str]);

const IDENTITY: &[Group] = &[
    (
        "Design solutions for logging and monitoring",
        &[
            "Recommend a logging solution",
            "Recommend a solution for routing logs",
            "Recommend a monitoring solution",
        ],
    ),
    (
        "Design authentication and authorization solutions",
        &[
            "Recommend an authentication solution",
            "Recommend an identity management solution",
            "Recommend a solution for authorizing access to Azure resources",
            "Recommend a solution for authorizing access to on-premises resources",
            "Recommend a solution to manage secrets, certificates, and keys",
        ],
    ),
    (
        "Design governance",
        &[
            "Recommend a structure for management groups, subscriptions, and resource groups, and a strategy for resource tagging",
            "Recommend a solution for managing compliance",
            "Recommend a solution for identity governance",
        ],
    ),
];

const DATA: &[Group] = &[
    (
        "Design data storage solutions for relational data",
        &[
            "Recommend a solution for storing relational data",
            "Recommend a database service tier and compute tier",
            "Recommend a solution for database scalability",
            "Recommend a solution for data protection",
        ],
    ),
    (
        "Design data storage solutions for semi-structured and unstructured data",
        &[
            "Recommend a solution for storing semi-structured data",
            "Recommend a solution for storing unstructured data",
            "Recommend a data storage solution to balance features, performance, and costs",
            "Recommend a data solution for protection and durability",
        ],
    ),
    (
        "Design data integration",
        &[
            "Recommend a solution for data integration",
            "Recommend a solution for data analysis",
        ],
    ),
];

const CONTINUITY: &[Group] = &[
    (
        "Design solutions for backup and disaster recovery",
        &[
            "Recommend a recovery solution for Azure and hybrid workloads that meets recovery objectives",
            "Recommend a backup and recovery solution for compute",
            "Recommend a backup and recovery solution for databases",
            "Recommend a backup and recovery solution for unstructured data",
        ],
    ),
    (
        "Design for high availability",
        &[
            "Recommend a high availability solution for compute",
            "Recommend a high availability solution for relational data",
            "Recommend a high availability solution for semi-structured and unstructured data",
        ],
    ),
];

const INFRASTRUCTURE: &[Group] = &[
    (
        "Design compute solutions",
        &[
            "Specify components of a compute solution based on workload requirements",
            "Recommend a virtual machine-based solution",
            "Recommend a container-based solution",
            "Recommend a serverless-based solution",
            "Recommend a compute solution for batch processing",
        ],
    ),
    (
        "Design an application architecture",
        &[
            "Recommend a messaging architecture",
            "Recommend an event-driven architecture",
            "Recommend a solution for API integration",
            "Recommend a caching solution for applications",
            "Recommend an application configuration management solution",
            "Recommend an automated deployment solution for applications",
        ],
    ),
    (
        "Design migrations",
        &[
            "Evaluate a migration solution that leverages the Microsoft Cloud Adoption Framework for Azure",
            "Evaluate on-premises servers, data, and applications for migration",
            "Recommend a solution for migrating workloads to infrastructure as a service (IaaS) and platform as a service (PaaS)",
            "Recommend a solution for migrating databases",
            "Recommend a solution for migrating unstructured data",
        ],
    ),
    (
        "Design network solutions",
        &[
            "Recommend a connectivity solution that connects Azure resources to the internet",
            "Recommend a connectivity solution that connects Azure resources to on-premises networks",
            "Recommend a solution to optimize network performance",
            "Recommend a solution to optimize network security",
            "Recommend a load-balancing and routing solution",
        ],
    ),
];

fn groups(area: Area) -> &'static [Group] {
    match area {
        Area::IdentityGovernanceMonitoring => IDENTITY,
        Area::DataStorage => DATA,
        Area::BusinessContinuity => CONTINUITY,
        Area::Infrastructure => INFRASTRUCTURE,
    }
}

/// Where an item sits in the outline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    /// Its area.
    pub area: Area,
    /// Its group ("Design an application architecture").
    pub group: &'static str,
}

/// The area and group of an item of the outline, if it is one.
pub fn place(item: &str) -> Option<Placed> {
    Area::ALL.into_iter().find_map(|area| {
        groups(area)
            .iter()
            .find_map(|(group, items)| items.contains(&item).then_some(Placed { area, group }))
    })
}
